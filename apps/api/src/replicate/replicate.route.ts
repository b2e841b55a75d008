import { randomUUID } from 'node:crypto';
import {
  AppError,
  createPredictionSchema,
  echoedInput,
  isTerminal,
  type JobView,
  metadataSchema,
  type PredictionOrigin,
  type PredictionView,
  predictionOf,
  REPLICATE_OWNER,
  REPLICATE_WEBHOOK_EVENTS,
  versionIdOf,
} from '@infer/contracts';
import type { FileStore, JobStore } from '@infer/job-store';
import express, { type Request, type Response } from 'express';
import multer from 'multer';
import { bodyError } from '../http/body-parsers.ts';
import { operationRoutes } from '../http/operation.ts';
import type { Backpressure } from '../jobs/backpressure.ts';
import type { ImageFetcher } from '../jobs/image-fetch.ts';
import { encodeCursor, listQueryOf } from '../jobs/job-list.ts';
import type { JobWaiter } from '../jobs/job-waiter.ts';
import type { JobsService } from '../jobs/jobs.service.ts';
import { decodeBase64, sniff, validate } from '../jobs/submit-body.ts';
import type { CatalogEntry, ModelCatalog } from '../models/model-catalog.ts';
import { ownerOf } from '../platform/auth.ts';
import { REPLICATE_OPERATIONS } from './replicate.operations.ts';
import { baseUrlOf, replicateModelOf } from './replicate-model.ts';

export interface ReplicateRouteDeps {
  jobs: JobsService;
  store: JobStore;
  files: FileStore;
  catalog: ModelCatalog;
  backpressure: Backpressure;
  images: ImageFetcher;
  waiter: JobWaiter;
  maxUploadBytes: number;
  listPageSize: number;
  /** The dispatcher's signing secrets (WEBHOOK_SECRET), the first of which signs; undefined if not given to the API. */
  webhookSecrets: readonly string[] | undefined;
}

/**
 * A Replicate-compatible surface over the same jobs (a prediction id is a job id),
 * so that Replicate's own clients work with `baseUrl` pointed here. Shaped after
 * what replicate-javascript 1.4 really does:
 * - `run()` with `wait: { mode: 'block' }` sends `Prefer: wait` and treats any status
 *   but `starting` as finished: a waited create that is not done yet answers
 *   `starting`, so the client polls `GET /v1/predictions/{id}` until it is;
 * - file inputs are uploaded with `POST /v1/files` (parts `content` and `metadata`)
 *   and passed as `urls.get`, which this API resolves itself, never fetching it;
 * - it retries 429s (and GET 5xx) with backoff; `Retry-After` comes with ours.
 */
export const replicateRoutes = operationRoutes(REPLICATE_OPERATIONS, (options: ReplicateRouteDeps) => {
  const { jobs, files } = options;
  const json = express.json({ limit: Math.ceil(options.maxUploadBytes / 3) * 4 + 64 * 1024 });
  const parseJson: express.RequestHandler = (req, res, next) =>
    json(req, res, (error?: unknown) => next(error ? bodyError(error, 'json') : undefined));
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: options.maxUploadBytes, files: 2, fields: 4, parts: 6 },
  }).any();

  /** The job as a prediction; `starting` while not finished when a blocking client must keep polling. */
  const present = async (req: Request, job: JobView, origin?: PredictionOrigin): Promise<PredictionView> => {
    // The urls follow the host this client used, whatever host created the prediction.
    const input = (origin ?? (await options.store.originOf(job.id)))?.input ?? {};
    return predictionOf(job, { input, baseUrl: baseUrlOf(req) });
  };

  // Version ids are digests: computed once per catalog state, not for every version of every
  // model at each request; a miss rebuilds them (a version added since, without a restart).
  const versionIds = () =>
    new Map(
      options.catalog
        .list()
        .flatMap((entry) =>
          entry.versions.map((version) => [versionIdOf(entry.name, version), { entry, version }] as const),
        ),
    );
  let byVersionId = versionIds();
  const byId = (ref: string) => {
    let found = byVersionId.get(ref);
    if (!found) {
      byVersionId = versionIds();
      found = byVersionId.get(ref);
    }
    // A version removed since the map was built is not served any more.
    return found &&
      options.catalog.list().some((entry) => entry.name === found.entry.name && entry.versions.includes(found.version))
      ? found
      : undefined;
  };

  /**
   * Model and version named by `version` (a version id, `name`, `name:version`, `owner/name[:version]`).
   * A model named without a version gets no version here: the model's routing policy chooses it
   * (default, canary), as for an unpinned `POST /v1/jobs`.
   */
  const resolve = (ref: string): { entry: CatalogEntry; version?: string } => {
    const pinned = byId(ref);
    if (pinned) return pinned;
    const match = /^(?:([^/:]+)\/)?([^/:]+)(?::(.+))?$/.exec(ref);
    const [, owner, name, version] = match ?? [];
    const entry = options.catalog.list().find((candidate) => candidate.name === name);
    if (!entry || (owner !== undefined && owner !== REPLICATE_OWNER)) {
      throw new AppError('model_not_found', `no model or version "${ref}" is served here`, {
        details: { version: ref },
      });
    }
    if (version === undefined) return { entry };
    if (entry.versions.includes(version)) return { entry, version };
    const named = byId(version);
    if (named?.entry.name !== entry.name)
      throw new AppError('model_not_found', `model "${name}" has no version "${version}"`);
    return named;
  };

  /** `input.image`: a data URI, a URL from POST /v1/files (read here, never fetched), or an http(s) URL. */
  const imageOf = async (req: Request, image: string): Promise<Buffer> => {
    const limits = { maxUploadBytes: options.maxUploadBytes, maxBatchImages: 1 };
    if (image.startsWith('data:')) {
      const bytes = decodeBase64(image, 'input.image', limits);
      sniff(bytes, 'input.image');
      return bytes;
    }
    const own = ownFileId(image, baseUrlOf(req));
    if (own !== undefined) {
      const found = await files.content(own, ownerOf(req));
      if (!found)
        throw new AppError('invalid_request', `input.image: no file "${own}" (expired or never uploaded)`, {
          details: { field: 'input.image' },
        });
      sniff(found.bytes, 'input.image');
      return found.bytes;
    }
    return options.images.fetch(image, 'input.image');
  };

  const create = async (req: Request, res: Response, model?: { owner: string; name: string }) => {
    const body = validate(createPredictionSchema, req.body);
    const ref = model ? `${model.owner}/${model.name}` : body.version;
    if (!ref)
      throw new AppError(
        'invalid_request',
        'version: name the model version (or POST to /v1/models/{owner}/{name}/predictions)',
        { details: { field: 'version' } },
      );
    const { entry, version } = resolve(ref);
    const events = body.webhook_events_filter ?? (['start', 'completed'] as const);
    const webhook = body.webhook && {
      url: body.webhook,
      events: [...new Set(events.flatMap((e) => REPLICATE_WEBHOOK_EVENTS[e]))],
    };
    await options.backpressure.admit(entry.name, 1);
    const image = await imageOf(req, body.input.image);
    const origin = { input: echoedInput(body.input), baseUrl: baseUrlOf(req) };
    const [accepted] = await jobs.submitMany([
      {
        image,
        model: entry.name,
        version,
        requestId: String(req.id ?? randomUUID()),
        webhook: webhook && webhook.events.length > 0 ? webhook : undefined,
        owner: ownerOf(req),
        origin,
      },
    ]);
    const id = (accepted as { id: string }).id;
    const reader = jobs.reader(id, ownerOf(req));
    const waited = await options.waiter.waitIfPreferred(req, res, { id, status: 'queued' }, reader);
    const job = waited ?? (await reader.read());
    const prediction = await present(req, job, origin);
    // A blocking client takes anything but "starting" as the end: unfinished after the wait is "starting".
    if (waited && !isTerminal(job.status)) prediction.status = 'starting';
    res.status(201).location(prediction.urls.get).json(prediction);
  };

  function fileView(req: Request, file: Awaited<ReturnType<FileStore['create']>>) {
    const { owner: _owner, ...view } = file;
    const get = `${baseUrlOf(req)}/v1/files/${file.id}`;
    return { ...view, urls: { get, download: `${get}/download` } };
  }

  return {
    createPrediction: [parseJson, (_input, req, res) => create(req, res)],
    createModelPrediction: [
      parseJson,
      ({ params }, req, res) => create(req, res, { owner: params.owner, name: params.name }),
    ],

    listPredictions: async ({ query: listQuery }, req, res) => {
      const query = listQueryOf(listQuery, options.listPageSize);
      const page = await jobs.list(ownerOf(req), query);
      const next = page.next ? new URL(`${baseUrlOf(req)}/v1/predictions`) : null;
      if (next && page.next) next.searchParams.set('cursor', encodeCursor(page.next));
      if (next && query.limit !== options.listPageSize) next.searchParams.set('limit', String(query.limit));
      res.json({
        previous: null,
        next: next?.href ?? null,
        results: page.jobs.map(({ view, origin }) =>
          predictionOf(view, { input: origin?.input ?? {}, baseUrl: baseUrlOf(req) }),
        ),
      });
    },

    getPrediction: async ({ params }, req, res) => {
      const job = await jobs.get(params.id, ownerOf(req));
      res.json(await present(req, job));
    },

    cancelPrediction: async ({ params }, req, res) => {
      const id = params.id;
      // Replicate answers the prediction as it is when it can no longer be canceled.
      const job = await jobs.cancel(id, ownerOf(req)).catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'job_not_cancelable') return jobs.get(id, ownerOf(req));
        throw error;
      });
      res.json(await present(req, job));
    },

    getReplicateModel: ({ params }, req, res) => {
      const entry = options.catalog.list().find((candidate) => candidate.name === params.name);
      if (!entry || params.owner !== REPLICATE_OWNER) {
        throw new AppError('model_not_found', `no model "${params.owner}/${params.name}" is served here`, {
          details: { model: `${params.owner}/${params.name}` },
        });
      }
      res.json(replicateModelOf(entry, baseUrlOf(req)));
    },

    getWebhookSecret: (_input, _req, res) => {
      const [signing] = options.webhookSecrets ?? [];
      if (!signing) {
        throw new AppError(
          'webhook_secret_not_configured',
          "give the API the dispatcher's WEBHOOK_SECRET to serve its signing secret here",
        );
      }
      res.json({ key: signing });
    },

    createFile: [
      (req, res, next) =>
        upload(req, res, (error?: unknown) => next(error ? bodyError(error, 'multipart') : undefined)),
      async (_input, req, res) => {
        const parts = (req.files ?? []) as Express.Multer.File[];
        const content = parts.find((part) => part.fieldname === 'content');
        if (!content)
          throw new AppError('missing_image', 'send the file in the multipart field "content"', {
            details: { field: 'content' },
          });
        const metadataPart =
          parts.find((part) => part.fieldname === 'metadata')?.buffer.toString('utf8') ??
          (req.body as Record<string, string> | undefined)?.metadata;
        let metadata: Record<string, unknown> = {};
        if (metadataPart) {
          try {
            const parsed = JSON.parse(metadataPart) as unknown;
            metadata = validate(metadataSchema, parsed, 'metadata');
          } catch (error) {
            if (error instanceof AppError) throw error;
            throw new AppError('invalid_request', 'metadata: must be a JSON object', {
              details: { field: 'metadata' },
            });
          }
        }
        const stored = await files.create(
          {
            name: content.originalname || 'file',
            contentType: content.mimetype || 'application/octet-stream',
            bytes: content.buffer,
            metadata,
          },
          ownerOf(req),
        );
        res.status(201).json(fileView(req, stored));
      },
    ],

    getFile: async ({ params }, req, res) => {
      const file = await files.get(params.id, ownerOf(req));
      if (!file) throw fileNotFound(params.id);
      res.json(fileView(req, file));
    },

    downloadFile: async ({ params }, req, res) => {
      const found = await files.content(params.id, ownerOf(req));
      if (!found) throw fileNotFound(params.id);
      res.type(found.file.content_type).send(found.bytes);
    },

    deleteFile: async ({ params }, req, res) => {
      if (!(await files.remove(params.id, ownerOf(req)))) throw fileNotFound(params.id);
      res.status(204).end();
    },
  };
});

const fileNotFound = (id: string) =>
  new AppError('file_not_found', `no file "${id}" (expired, deleted or never uploaded)`, { details: { file: id } });

/** The id of a URL that names one of our files (`<base>/v1/files/<id>`), whatever host the client used for it. */
function ownFileId(url: string, base: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const match = /^\/v1\/files\/([a-z0-9]{1,64})$/.exec(parsed.pathname);
  return match && parsed.origin === new URL(base).origin ? match[1] : undefined;
}
