/** An answer of the API that is an error (`{ error: { code, message, details } }`), or any non-2xx answer. */
export class InferApiError extends Error {
  override readonly name = 'InferApiError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | null;

  constructor(status: number, code: string, message: string, details?: unknown, requestId?: string | null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId ?? null;
  }

  static async from(response: Response, body?: unknown): Promise<InferApiError> {
    let parsed = body;
    if (parsed === undefined) {
      const text = await response.text().catch(() => '');
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message =
      typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`.trim();
    return new InferApiError(response.status, code, message, error?.details, response.headers.get('x-request-id'));
  }
}

/** The API could not be reached at all (connection refused, DNS, TLS, reset) after the retries. */
export class InferConnectionError extends Error {
  override readonly name = 'InferConnectionError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`cannot reach the API at ${url}: ${describeCause(cause)}`, { cause });
    this.url = url;
  }
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  if (inner?.code)
    return inner.code === 'ECONNREFUSED' ? 'connection refused' : `${inner.code} ${inner.message ?? ''}`.trim();
  return cause instanceof Error ? cause.message : String(cause);
}
