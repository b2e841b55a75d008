export * from './deadlines.ts';
export * from './durable-writes.ts';
export * from './file-store.ts';
export * from './idempotency-store.ts';
export * from './job-store.ts';
export * from './keys.ts';
export * from './lifecycle.ts';
export * from './model-routing.ts';
export * from './rate-limit-window.ts';
export {
  type AttemptRecord,
  type FieldCodec,
  JOB_FIELDS,
  type JobUpdate,
  jobViewFromHash,
  type NewJob,
  predictionOriginOf,
  type RecordField,
  type StoredJob,
  traceparentOfHash,
  webhookStatusFromHash,
} from './record/job-record.ts';
export * from './result-cache.ts';
export * from './shadow-stats.ts';
export * from './webhook-store.ts';
export * from './worker-registry.ts';
