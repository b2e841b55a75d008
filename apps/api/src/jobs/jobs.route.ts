import { createHash } from 'node:crypto';
import { AppError, type BatchAccepted, isTerminal, type JobAccepted, UnknownModelError } from '@infer/contracts';
import { Limiter } from '@infer/runtime';
import type { Request, RequestHandler, Response } from 'express';
import { bodyKindOf, bodyParser } from '../http/body-parsers.ts';
import { operationRoutes } from '../http/operation.ts';
import type { ModelCatalog } from '../models/model-catalog.ts';
import { ownerOf } from '../platform/auth.ts';
import { webhookOf } from '../webhooks/webhook-url.ts';
import type { Backpressure } from './backpressure.ts';
import { Idempotency, type IdempotencyBinding } from './idempotency.ts';
import type { ImageFetcher } from './image-fetch.ts';
import { encodeCursor, listQueryOf } from './job-list.ts';
import type { JobWaiter } from './job-waiter.ts';
import { JOBS_OPERATIONS } from './jobs.operations.ts';
import type { JobsService, SubmitRequest } from './jobs.service.ts';
import {
  BATCH_BODIES,
  type ImageInput,
  type ParsedSubmission,
  parseBatch,
  parseSubmission,
  SUBMIT_BODIES,
} from './submit-body.ts';

export interface JobsRouteDeps {
  jobs: JobsService;
  waiter: JobWaiter;
  /** The models a submission may name. */
  catalog: ModelCatalog;
  maxUploadBytes: number;
  maxBatchImages: number;
  /** Whole body of a batch request (MAX_BATCH_BYTES). */
  maxBatchBytes: number;
  defaultModel: string;
  /** Longest Cancel-After accepted (a queued job cannot outlive its record anyway). */
  maxCancelAfterSeconds: number;
  idempotency: Idempotency;
  backpressure: Backpressure;
  /** `limit` of a listing that names none (LIST_PAGE_SIZE). */
  listPageSize: number;
  images: ImageFetcher;
}

/**
 * A batch body is read into memory (up to MAX_BATCH_IMAGES images): refuse one
 * that declares more than `maxBytes` before reading any of it. (The JSON parser
 * also enforces the cap while reading; multipart parts are capped per file.)
 */
function refuseLargerThan(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      next(new AppError('payload_too_large', `a batch request may hold at most ${maxBytes} bytes (MAX_BATCH_BYTES)`));
      return;
    }
    next();
  };
}

/** image_url downloads of one batch run a few at a time. */
const FETCH_PARALLELISM = 4;

export const jobsRoutes = operationRoutes(JOBS_OPERATIONS, (options: JobsRouteDeps) => {
  const { jobs, waiter } = options;
  const limits = { maxUploadBytes: options.maxUploadBytes, maxBatchImages: options.maxBatchImages };
  const base64Size = Math.ceil(options.maxUploadBytes / 3) * 4;
  const single = bodyParser({
    // Two files so that a second image is reported as ambiguous_image rather than a multipart error.
    multipart: { fileSize: options.maxUploadBytes, files: 2, fields: 20, fieldSize: base64Size + 1024, parts: 24 },
    jsonLimit: base64Size + 64 * 1024,
    rawLimit: options.maxUploadBytes,
    accepted: SUBMIT_BODIES,
  });
  const batch = bodyParser({
    multipart: {
      fileSize: options.maxUploadBytes,
      files: options.maxBatchImages + 1,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: options.maxBatchImages + 21,
    },
    jsonLimit: Math.min(options.maxBatchBytes, (base64Size + 8 * 1024) * options.maxBatchImages + 64 * 1024),
    accepted: BATCH_BODIES,
  });

  /**
   * Everything a submission needs besides its image bytes, checked once, here: the
   * model (before any expensive work: fetching an image_url, idempotency claims),
   * the webhook options and Cancel-After; throws 4xx before any work is done.
   */
  const prepare = (req: Request, parsed: ParsedSubmission, cancelAfter: string | undefined) => {
    const model = parsed.options.model ?? options.defaultModel;
    if (!options.catalog.has(model, parsed.options.version)) throw new UnknownModelError(model, parsed.options.version);
    const webhook = webhookOf(parsed.options);
    const cancelAt = cancelAtOf(cancelAfter, options.maxCancelAfterSeconds);
    return {
      owner: ownerOf(req),
      model,
      fingerprint: (route: string) =>
        Idempotency.fingerprint({ route, model, ...parsed.options, images: parsed.images.map(digest) }),
      request: (image: Uint8Array, input: ImageInput): SubmitRequest => ({
        image,
        model,
        version: parsed.options.version,
        requestId: String(req.id),
        priority: parsed.options.priority,
        metadata: input.metadata,
        webhook,
        cancelAt,
        owner: ownerOf(req),
      }),
    };
  };

  const fetchLimiter = new Limiter(FETCH_PARALLELISM);
  const bytesOf = (input: ImageInput): Promise<Buffer> =>
    input.bytes ? Promise.resolve(input.bytes) : fetchLimiter.run(() => options.images.fetch(input.url, input.field));

  /** 202 with the accepted job; with `Prefer: wait=N`, 200 and the finished job if it ends in time. */
  async function answerAccepted(req: Request, res: Response, accepted: JobAccepted): Promise<void> {
    if (await answerWaited(req, res, accepted)) return;
    res.status(202).location(`/v1/jobs/${accepted.id}`).json(accepted);
  }

  /** With `Prefer: wait=N`: wait, then answer the job (200 if it ended, else 202); false without the preference. */
  async function answerWaited(req: Request, res: Response, accepted: JobAccepted): Promise<boolean> {
    const waited = await waiter.waitIfPreferred(req, res, accepted, jobs.reader(accepted.id, ownerOf(req)));
    if (!waited) return false;
    res
      .status(isTerminal(waited.status) ? 200 : 202)
      .location(`/v1/jobs/${accepted.id}`)
      .json(waited);
    return true;
  }

  const cancel = async ({ params }: { params: { id: string } }, req: Request, res: Response) => {
    res.json(await jobs.cancel(params.id, ownerOf(req)));
  };

  return {
    submitJob: [
      single,
      async ({ headers }, req, res) => {
        const parsed = parseSubmission(req, bodyKindOf(res), limits);
        const input = parsed.images[0] as ImageInput;
        const job = prepare(req, parsed, headers['Cancel-After']);
        const submit = async (binding?: IdempotencyBinding): Promise<JobAccepted> => {
          await options.backpressure.admit(job.model, 1);
          const request = job.request(await bytesOf(input), input);
          const [accepted] = await jobs.submitMany([request], binding && { binding, answerOf: ([first]) => first });
          return accepted as JobAccepted;
        };
        // Checked against the operation's header schema (openapi-parts.ts idempotencyKeyHeader) before this runs.
        const key = headers['Idempotency-Key'];
        if (key !== undefined) {
          const outcome = await options.idempotency.run(key, job.owner, job.fingerprint('POST /v1/jobs'), submit);
          if (outcome.replayed) {
            res.setHeader('Idempotent-Replayed', 'true');
            // A retry of a `Prefer: wait` submit (e.g. after a client timeout) waits again, as the first one did.
            if (await answerWaited(req, res, outcome.value)) return;
            // The original job as it is now; 200 (not 202): nothing new was accepted.
            const current = await jobs.get(outcome.value.id, job.owner).catch(() => outcome.value);
            res.status(200).location(`/v1/jobs/${outcome.value.id}`).json(current);
            return;
          }
          await answerAccepted(req, res, outcome.value);
          return;
        }
        await answerAccepted(req, res, await submit());
      },
    ],

    submitBatch: [
      refuseLargerThan(options.maxBatchBytes),
      batch,
      async ({ headers }, req, res) => {
        const parsed = parseBatch(req, bodyKindOf(res), limits);
        const job = prepare(req, parsed, headers['Cancel-After']);
        const submit = async (binding?: IdempotencyBinding): Promise<BatchAccepted> => {
          await options.backpressure.admit(job.model, parsed.images.length);
          // All or nothing: every image is fetched and checked before any job is created.
          const images = await Promise.all(parsed.images.map(bytesOf));
          const requests = parsed.images.map((input, i) => job.request(images[i] as Buffer, input));
          return {
            jobs: await jobs.submitMany(requests, binding && { binding, answerOf: (accepted) => ({ jobs: accepted }) }),
          };
        };
        // Checked against the operation's header schema (openapi-parts.ts idempotencyKeyHeader) before this runs.
        const key = headers['Idempotency-Key'];
        if (key !== undefined) {
          const outcome = await options.idempotency.run(key, job.owner, job.fingerprint('POST /v1/jobs:batch'), submit);
          if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
          res.status(outcome.replayed ? 200 : 202).json(outcome.value);
          return;
        }
        res.status(202).json(await submit());
      },
    ],

    // Newest first, only the caller's jobs while auth is on; an expired job leaves the list with its record.
    listJobs: async ({ query }, req, res) => {
      const page = await jobs.list(ownerOf(req), listQueryOf(query, options.listPageSize));
      res.json({ jobs: page.jobs.map(({ view }) => view), next_cursor: page.next ? encodeCursor(page.next) : null });
    },

    getJob: async ({ params }, req, res) => {
      const owner = ownerOf(req);
      const job = await jobs.get(params.id, owner);
      res.json((await waiter.waitIfPreferred(req, res, job, jobs.reader(job.id, owner))) ?? job);
    },

    cancelJob: cancel,
    cancelJobPost: cancel,
  };
});

/** `Cancel-After: <seconds>`: a job still queued then is canceled (deadline_exceeded) and never runs. */
function cancelAtOf(header: string | undefined, maxSeconds: number): Date | undefined {
  if (header === undefined) return undefined;
  const seconds = /^\d{1,9}(\.\d{1,3})?$/.test(header.trim()) ? Number(header) : Number.NaN;
  if (!(seconds > 0 && seconds <= maxSeconds)) {
    throw new AppError('invalid_request', `Cancel-After: seconds, more than 0 and at most ${maxSeconds}`, {
      details: { field: 'Cancel-After' },
    });
  }
  return new Date(Date.now() + seconds * 1000);
}

/** What identifies an image in an idempotency fingerprint: its bytes' digest, or its URL (fetched later). */
function digest(input: ImageInput): string {
  return input.bytes ? `sha256:${createHash('sha256').update(input.bytes).digest('hex')}` : `url:${input.url}`;
}
