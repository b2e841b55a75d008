export * from './app-error.ts';
export * from './errors.ts';
export * from './job.schema.ts';
export * from './model-config.schema.ts';
export * from './queue.ts';
export * from './webhook.schema.ts';
export * from './webhook-status.schema.ts';
export * from './worker-heartbeat.schema.ts';
