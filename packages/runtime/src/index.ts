export * from './crash-point.ts';
export * from './gc-limits.ts';
export * from './last-known.ts';
export * from './limiter.ts';
export * from './patience.ts';
export * from './periodic.ts';
export * from './probe-server.ts';
export * from './shutdown.ts';
