export * from './dead-worker-reclaim.ts';
export * from './inference-queue-contract.ts';
export * from './inference-queue-producer.ts';
export * from './job-id.ts';
export * from './webhook-queue-contract.ts';
