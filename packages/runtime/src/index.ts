export * from './crash-point.ts';
export * from './limiter.ts';
export * from './probe-server.ts';
export * from './shutdown.ts';
