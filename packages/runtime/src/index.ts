export * from './limiter.ts';
export * from './shutdown.ts';
