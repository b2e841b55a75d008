export * from './dead-worker-locks.ts';
export * from './inference.queue.ts';
export * from './inference-queues.ts';
export * from './job-id.ts';
export * from './webhook.queue.ts';
