import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import createClient, { type Client } from 'openapi-fetch';
import { InferApiError, InferConnectionError } from './errors.ts';
import { imageType } from './image-type.ts';
import { DEFAULT_RETRY, type RetryEvents, type RetryPolicy, retryingFetch } from './retry.ts';
import type { components, paths } from './schema.ts';
import { serverSentEvents } from './sse.ts';

export type Job = components['schemas']['JobView'];
export type JobAccepted = components['schemas']['JobAccepted'];
export type JobStatus = components['schemas']['JobStatus'];
export type JobPage = components['schemas']['JobList'];
export type Model = components['schemas']['ModelView'];
export type ListQuery = NonNullable<paths['/v1/jobs']['get']['parameters']['query']>;

/**
 * An image to submit: bytes (Buffer, Uint8Array, Blob), a file (`{ path }`), or a URL the API downloads
 * (a `URL`, or a string starting with http:// or https://; any other string is a file path).
 */
export type ImageInput = Uint8Array | Blob | URL | string | { path: string };

export interface SubmitOptions {
  model?: string;
  version?: string;
  priority?: number;
  metadata?: Record<string, unknown>;
  webhookUrl?: string;
  webhookEvents?: ('job.started' | 'job.succeeded' | 'job.failed' | 'job.canceled')[];
  /** Sent on every attempt of this submission (default: a fresh UUID per call), so a retry never makes a second job. */
  idempotencyKey?: string;
  /** `Prefer: wait=N` (at most 60): answer the finished job if it ends within N seconds. */
  waitSeconds?: number;
  cancelAfterSeconds?: number;
  signal?: AbortSignal;
}

export interface ClientOptions {
  /** Default `http://localhost:8080`. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>` (an API key or a JWT). */
  apiKey?: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  onRetry?: RetryEvents['onRetry'];
}

const TERMINAL = new Set<JobStatus>(['succeeded', 'failed', 'canceled']);
export const isTerminal = (job: { status: JobStatus }): boolean => TERMINAL.has(job.status);

/** What openapi-fetch answers; an error body becomes an InferApiError. */
async function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): Promise<T> {
  if (result.error !== undefined || !result.response.ok) throw await InferApiError.from(result.response, result.error);
  return result.data as T;
}

/**
 * The typed client of the inference API: every call goes through openapi-fetch on the types generated from the
 * served OpenAPI document (`api` exposes that client for operations this class does not wrap).
 */
export class InferClient {
  readonly baseUrl: string;
  readonly api: Client<paths>;
  private readonly headers: Record<string, string>;
  private readonly baseFetch: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'http://localhost:8080').replace(/\/+$/, '');
    this.baseFetch = options.fetch ?? globalThis.fetch;
    this.headers = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    this.api = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: this.headers,
      fetch: retryingFetch(this.baseFetch, retry, { onRetry: options.onRetry }),
    });
  }

  /** Queues one image; with `waitSeconds` the answer is the whole job (finished if it ended in time). */
  async submit(image: ImageInput, options: SubmitOptions = {}): Promise<Job | JobAccepted> {
    const header = {
      'Idempotency-Key': options.idempotencyKey ?? randomUUID(),
      ...(options.waitSeconds === undefined ? {} : { Prefer: `wait=${options.waitSeconds}` }),
      ...(options.cancelAfterSeconds === undefined ? {} : { 'Cancel-After': String(options.cancelAfterSeconds) }),
    };
    const url =
      image instanceof URL ? image.href : typeof image === 'string' && /^https?:\/\//i.test(image) ? image : undefined;
    if (url !== undefined) {
      return unwrap(
        await this.api.POST('/v1/jobs', {
          params: { header },
          body: {
            image_url: url,
            model: options.model,
            version: options.version,
            priority: options.priority,
            metadata: options.metadata,
            webhook_url: options.webhookUrl,
            webhook_events: options.webhookEvents,
          },
          signal: options.signal,
        }),
      );
    }
    const bytes = await imageBytes(image as Exclude<ImageInput, URL>);
    const type = imageType(bytes.subarray(0, 12)) ?? 'application/octet-stream';
    const query = {
      model: options.model,
      version: options.version,
      priority: options.priority === undefined ? undefined : String(options.priority),
      metadata: options.metadata === undefined ? undefined : JSON.stringify(options.metadata),
      webhook_url: options.webhookUrl,
      webhook_events: options.webhookEvents?.join(','),
    };
    return unwrap(
      await this.api.POST('/v1/jobs', {
        params: { query, header },
        // The raw-image form: no multipart framing; the API tells the type by the bytes, as here.
        body: new Blob([bytes as Uint8Array<ArrayBuffer>], { type }),
        bodySerializer: (body: unknown) => body as Blob,
        headers: { 'Content-Type': type },
        signal: options.signal,
      }),
    );
  }

  /** Submits and waits until the job ends (`timeoutMs`, default 10 minutes): the finished job. */
  async classify(image: ImageInput, options: SubmitOptions & { timeoutMs?: number } = {}): Promise<Job> {
    const submitted = await this.submit(image, { waitSeconds: 60, ...options });
    if ('result' in submitted && isTerminal(submitted)) return submitted;
    return this.wait(submitted.id, options);
  }

  /** One read; with `waitSeconds` it is held until the job ends or the wait runs out. */
  async get(id: string, options: { waitSeconds?: number; signal?: AbortSignal } = {}): Promise<Job> {
    return unwrap(
      await this.api.GET('/v1/jobs/{id}', {
        params: {
          path: { id },
          header: options.waitSeconds === undefined ? {} : { Prefer: `wait=${options.waitSeconds}` },
        },
        signal: options.signal,
      }),
    );
  }

  /** Long-polls until the job is succeeded, failed or canceled (or `timeoutMs`, default 10 minutes, passes). */
  async wait(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Job> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const left = Math.ceil((deadline - Date.now()) / 1000);
      const job = await this.get(id, { waitSeconds: Math.max(1, Math.min(60, left)), signal: options.signal });
      if (isTerminal(job)) return job;
      if (Date.now() >= deadline) throw new Error(`job ${id} is still ${job.status} after the wait`);
    }
  }

  /** The job's state now, then at every change, until it ends (Server-Sent Events). */
  async *events(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Job> {
    const result = await this.api.GET('/v1/jobs/{id}/events', {
      params: { path: { id } },
      parseAs: 'stream',
      signal: options.signal,
    });
    if (!result.response.ok || !result.response.body) throw await InferApiError.from(result.response, result.error);
    for await (const event of serverSentEvents(result.response.body)) {
      if (event.event === 'status') yield JSON.parse(event.data) as Job;
    }
  }

  /** Cancels a queued job (idempotent); a job that already ran answers `409 job_not_cancelable`. */
  async cancel(id: string): Promise<Job> {
    return unwrap(await this.api.DELETE('/v1/jobs/{id}', { params: { path: { id } } }));
  }

  /** One page of the caller's jobs, newest first; pass `next_cursor` back as `cursor` for the next. */
  async list(query: ListQuery = {}): Promise<JobPage> {
    return unwrap(await this.api.GET('/v1/jobs', { params: { query } }));
  }

  /** Every job matching the query, following the cursors. */
  async *listAll(query: Omit<ListQuery, 'cursor'> = {}): AsyncGenerator<Job> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor ? { cursor } : {}) });
      yield* page.jobs;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  async models(): Promise<Model[]> {
    return (await unwrap(await this.api.GET('/v1/models', {}))).models;
  }

  async model(name: string): Promise<Model> {
    return unwrap(await this.api.GET('/v1/models/{name}', { params: { path: { name } } }));
  }

  /**
   * Liveness and readiness as the probes see them (no retries: a `503` not-ready is an answer here).
   * Throws InferConnectionError when the API cannot be reached.
   */
  async health(): Promise<{ live: boolean; ready: boolean; readiness: components['schemas']['Readiness'] | null }> {
    const probe = (path: string) =>
      this.baseFetch(`${this.baseUrl}${path}`).catch((error: unknown) => {
        throw new InferConnectionError(this.baseUrl, error);
      });
    const live = await probe('/healthz');
    const ready = await probe('/readyz');
    const readiness = (await ready.json().catch(() => null)) as components['schemas']['Readiness'] | null;
    await live.body?.cancel();
    return { live: live.ok, ready: ready.ok, readiness };
  }
}

async function imageBytes(image: Exclude<ImageInput, URL>): Promise<Uint8Array> {
  if (typeof image === 'string') return readFile(image);
  if (image instanceof Uint8Array) return image;
  if (image instanceof Blob) return new Uint8Array(await image.arrayBuffer());
  return readFile(image.path);
}
