export * from './env.ts';
export * from './redis-target.ts';
