export {
  type ClientOptions,
  type ImageInput,
  InferClient,
  isTerminal,
  type Job,
  type JobAccepted,
  type JobPage,
  type JobStatus,
  type ListQuery,
  type Model,
  type SubmitOptions,
} from './client.ts';
export { InferApiError, InferConnectionError } from './errors.ts';
export { type ImageType, imageType, SNIFF_BYTES } from './image-type.ts';
export { DEFAULT_RETRY, type RetryPolicy, retryAfterMs } from './retry.ts';
export type { components, paths } from './schema.ts';
export { type ServerSentEvent, serverSentEvents } from './sse.ts';
export { type VerifyOptions, verifyWebhook, type WebhookHeaders, WebhookVerificationError } from './webhooks.ts';
