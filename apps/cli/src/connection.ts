import { InferClient, type RetryPolicy } from '@infer/client';

export interface ConnectionOptions {
  api?: string;
  apiKey?: string;
}

export const DEFAULT_API_URL = 'http://localhost:8080';

/** The client for `--api`/`INFER_API_URL` and `--api-key`/`INFER_API_KEY`. */
export function connect(
  options: ConnectionOptions,
  extra: { retry?: Partial<RetryPolicy>; onRetry?: (reason: { status?: number }) => void } = {},
): InferClient {
  // An empty variable counts as unset.
  const apiKey = options.apiKey || process.env.INFER_API_KEY;
  return new InferClient({
    baseUrl: options.api || process.env.INFER_API_URL || DEFAULT_API_URL,
    ...(apiKey ? { apiKey } : {}),
    ...extra,
  });
}
