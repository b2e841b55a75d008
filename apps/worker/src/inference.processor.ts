import { AppError, type JobStatus, type Prediction, UnknownModelError } from '@infer/contracts';
import {
  decodeImage,
  type InferenceOutcome,
  type ModelServer,
  modelVersionKey,
  type PreprocessLimits,
  type ServedVersion,
  ServerClosingError,
} from '@infer/inference';
import type { Deadlines, JobStore, ResultCache } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { type InferenceJobData, inferenceJobDataSchema } from '@infer/queues';
import { type Limiter, withTimeout } from '@infer/runtime';
import { inSpan } from '@infer/telemetry';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { ShadowRunner } from './shadow-runner.ts';
import { versionLabel, type WorkerMetrics } from './worker-metrics.ts';

export interface InferenceProcessorDeps {
  store: JobStore;
  /** Cancel-After: a job past its deadline is expired here instead of run. */
  deadlines: Deadlines;
  server: ModelServer;
  logger: Logger;
  metrics: WorkerMetrics;
  preprocessLimiter: Limiter;
  limits: PreprocessLimits;
  jobTimeoutMs: number;
  /** Aborted at shutdown: jobs not yet in a running batch go back to the queue. */
  draining: AbortSignal;
  /** The opt-in result cache (RESULT_CACHE_TTL_SECONDS > 0); absent, every image is inferred. */
  cache?: ResultCache | undefined;
  /** Called for each job that succeeded (the throughput the heartbeat reports). */
  onSucceeded?: (model: string) => void;
  /** Runs shadowed jobs on their candidate after they answered; absent: shadows are ignored. */
  shadow?: ShadowRunner | undefined;
  /**
   * Look at the model repository now (RepositoryWatcher.refresh): a job pinned to a version
   * this worker does not serve yet waits for it to load before it fails as unknown.
   */
  refreshModels?: (() => Promise<void>) | undefined;
}

export type ProcessorOutcome = { status: JobStatus } | { skipped: JobStatus | 'expired' };

/**
 * One BullMQ job: load the image, preprocess with bounded parallelism, infer
 * (micro-batched with concurrent jobs), store the result. Permanent failures
 * become UnrecoverableError so BullMQ does not retry them; transient ones are
 * retried with backoff and the record goes back to "queued" meanwhile. At
 * shutdown, a job not yet in a running batch is handed back to the queue at once
 * (no attempt spent) instead of holding up the exit or waiting for lock expiry.
 */
export function createInferenceProcessor(deps: InferenceProcessorDeps) {
  const { store, server, metrics } = deps;

  // Result cache: the inference of each image (by cache key) running now, for identical jobs to share.
  const inFlight = new Map<string, Promise<Answer>>();

  return async function processInference(job: Job<unknown>, token?: string): Promise<ProcessorOutcome> {
    const parsed = inferenceJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
    const data = parsed.data;
    const logger = lazyJobLogger(deps.logger, data);

    const handBack = async (): Promise<never> => {
      await store.apply('handBack', data.jobId);
      await job.moveToWait(token);
      metrics.jobs.inc({ model: data.model, version: versionLabel(server, data), outcome: 'handed_back' });
      logger().info('worker shutting down; job handed back to the queue');
      throw new WaitingError();
    };
    if (deps.draining.aborted) return handBack();

    // Cancel-After: a job still queued at its deadline never runs (the API's deadline sweeper expires it too).
    if (data.cancelAt !== undefined && Date.now() >= data.cancelAt) {
      const late = await deps.deadlines.expireIfDue(data.jobId);
      if (late.expired) {
        logger().info('job still queued at its Cancel-After deadline; canceled');
        return { skipped: 'canceled' };
      }
    }
    // queued -> running; "running" again when BullMQ retries or recovers a stalled job.
    // Its image comes back in the same round trip.
    const start = await store.start(data.jobId, {
      started_at: new Date().toISOString(),
      attempts: job.attemptsMade + 1,
    });
    if (!start.applied) {
      logger().info({ status: start.previous ?? 'expired' }, 'job is no longer runnable; skipped');
      return { skipped: start.previous ?? 'expired' };
    }
    const queueMs = Math.max(0, Date.now() - data.enqueuedAt);
    // The version the job carries (routed or pinned, from the repository either way) even when
    // it is still loading here, so that a canary's failures are not labelled `unknown`.
    const version = data.version ?? versionLabel(server, data);
    metrics.stageSeconds.observe({ model: data.model, version, stage: 'queue' }, queueMs / 1000);
    // Per-job progress is debug: at info these two lines cost the worker about 0.2 CPU-ms per
    // tiny job (measured), a twentieth of its whole work; failures and retries stay warn.
    if (deps.logger.isLevelEnabled('debug')) logger().debug({ attempt: job.attemptsMade + 1, queueMs }, 'job started');

    const timeout = new AbortController();
    try {
      return await withTimeout(run(data, start.image, queueMs, logger, timeout.signal), deps.jobTimeoutMs, () => {
        // A timeout may be load, not the job's fault: retried like other transient errors.
        const error = new AppError('job_timeout', `job did not finish within ${deps.jobTimeoutMs} ms`);
        // Withdraw its image from a batch not yet started: no inference for a job given up on.
        timeout.abort(error);
        return error;
      });
    } catch (error) {
      if (error instanceof ServerClosingError) return handBack();
      const failure = failureOf(error);
      const attempts = job.opts.attempts ?? 1;
      const final = failure.permanent || job.attemptsMade + 1 >= attempts;
      if (final) {
        if (data.shadow) deps.shadow?.primaryFailed(data.model, data.shadow);
        await store.apply('fail', data.jobId, {
          completed_at: new Date().toISOString(),
          error: { code: failure.code, message: failure.message },
        });
        metrics.jobs.inc({ model: data.model, version, outcome: 'failed' });
        metrics.failures.inc({ model: data.model, version, code: failure.code });
        metrics.jobSeconds.observe(
          { model: data.model, version, outcome: 'failed' },
          Math.max(0, Date.now() - data.enqueuedAt) / 1000,
        );
        logger().warn({ code: failure.code, err: error }, 'job failed');
      } else {
        await store.apply('retry', data.jobId);
        metrics.jobs.inc({ model: data.model, version, outcome: 'retried' });
        logger().warn({ code: failure.code, err: error, attempt: job.attemptsMade + 1 }, 'job failed; will retry');
      }
      if (failure.permanent) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      throw failure;
    }
  };

  /** Decode and infer one image (see run); what its job records, with the decode time. */
  async function infer(
    data: InferenceJobData,
    image: Buffer,
    served: ServedVersion,
    signal: AbortSignal,
  ): Promise<Answer> {
    // Decoding runs on libuv's thread pool (sharp), bounded by the limiter, while the
    // previous batch runs in the inference thread: the two overlap.
    // preprocess_ms is the decode itself, not the wait for a decoding slot (that is queueing).
    let preprocessMs = 0;
    // Announced before decoding, so that a batch forming meanwhile waits for this image
    // (within BATCH_WINDOW_MS), while a lone job on an idle worker does not wait at all.
    const arrived = server.expect(data.model, served.version);
    let pending: Promise<InferenceOutcome>;
    let decoded: Uint8Array | undefined;
    try {
      const { pixels } = await deps.preprocessLimiter.run(async () => {
        if (deps.draining.aborted) throw new ServerClosingError('the worker is shutting down');
        signal.throwIfAborted();
        const started = performance.now();
        try {
          return await inSpan(
            'decode and resize',
            { 'infer.model': data.model, 'infer.image.bytes': image.length },
            () => decodeImage(image, served.entry.config.input, deps.limits),
          );
        } finally {
          preprocessMs = performance.now() - started;
        }
      });
      metrics.stageSeconds.observe(
        { model: data.model, version: served.version, stage: 'preprocess' },
        preprocessMs / 1000,
      );
      // The batch tensor is written from the pixels when the batch forms: no float copy per image.
      decoded = pixels;
      pending = server.infer(data.model, served.version, pixels, signal);
    } finally {
      arrived(); // queued for its batch (infer() queues synchronously) or failed: no longer on its way
    }
    const outcome = await pending;
    metrics.stageSeconds.observe(
      { model: data.model, version: served.version, stage: 'inference' },
      outcome.inferenceMs / 1000,
    );
    return {
      pixels: decoded,
      predictions: outcome.predictions,
      provider: outcome.provider,
      preprocessMs,
      inferenceMs: outcome.inferenceMs,
      batchSize: outcome.batchSize,
    };
  }

  /**
   * The answer for this image: from the result cache when on (a stored one, or the
   * inference of an identical job already running here), else decoded and inferred.
   */
  async function answer(
    data: InferenceJobData,
    image: Buffer,
    served: ServedVersion,
    signal: AbortSignal,
  ): Promise<Answer> {
    const { cache } = deps;
    if (!cache) return infer(data, image, served, signal);
    const key = cache.keyOf(modelVersionKey(data.model, served.version), image);
    const stored = await cache.get(key);
    if (stored) {
      metrics.cache.inc({ model: data.model, outcome: 'hit' });
      const { predictions, executionProvider } = stored;
      return { predictions, provider: executionProvider, preprocessMs: 0, inferenceMs: 0, batchSize: 1, cache: 'hit' };
    }
    const running = inFlight.get(key);
    if (running) {
      metrics.cache.inc({ model: data.model, outcome: 'shared' });
      return { ...(await running), pixels: undefined, cache: 'shared' };
    }
    metrics.cache.inc({ model: data.model, outcome: 'miss' });
    const computing = infer(data, image, served, signal);
    inFlight.set(key, computing);
    try {
      const computed = await computing;
      await cache.set(key, { predictions: computed.predictions, executionProvider: computed.provider });
      return computed;
    } finally {
      inFlight.delete(key);
    }
  }

  async function run(
    data: InferenceJobData,
    image: Buffer | null,
    queueMs: number,
    logger: () => Logger,
    signal: AbortSignal,
  ): Promise<ProcessorOutcome> {
    if (!image)
      throw new AppError('image_missing', 'the image payload is gone (expired or deleted)', { permanent: true });
    // Held until the job is stored: a version removed meanwhile finishes this job before it unloads.
    const lease = await acquire(data);
    try {
      return await answerAndStore(data, image, lease.served, queueMs, logger, signal);
    } finally {
      lease.release();
    }
  }

  /** The job's version; one named but not served here yet may be loading (new in the repository): wait for it. */
  async function acquire(data: InferenceJobData): Promise<ReturnType<ModelServer['acquire']>> {
    // Submitted before its version was removed: still served by it while the session remains.
    try {
      return server.acquire(data.model, data.version, data.enqueuedAt);
    } catch (error) {
      if (!(error instanceof UnknownModelError) || data.version === undefined) throw error;
      if (!server.isLoading(data.model, data.version)) await deps.refreshModels?.();
      await server.isLoading(data.model, data.version)?.catch(() => undefined);
      return server.acquire(data.model, data.version, data.enqueuedAt);
    }
  }

  async function answerAndStore(
    data: InferenceJobData,
    image: Buffer,
    served: ServedVersion,
    queueMs: number,
    logger: () => Logger,
    signal: AbortSignal,
  ): Promise<ProcessorOutcome> {
    const outcome = await answer(data, image, served, signal);
    // A batch that finished after this attempt timed out must not write its result: the
    // record may already belong to the next attempt (it would "succeed" a running retry).
    signal.throwIfAborted();

    const done = await store.apply('succeed', data.jobId, {
      completed_at: new Date().toISOString(),
      result: { predictions: outcome.predictions },
      model_version: served.version,
      execution_provider: outcome.provider,
      timings: {
        queue_ms: Math.round(queueMs),
        preprocess_ms: round(outcome.preprocessMs),
        inference_ms: round(outcome.inferenceMs),
        batch_size: outcome.batchSize,
        ...(outcome.cache ? { cache: outcome.cache } : {}),
      },
    });
    metrics.jobs.inc({ model: data.model, version: served.version, outcome: 'succeeded' });
    metrics.jobSeconds.observe(
      { model: data.model, version: served.version, outcome: 'succeeded' },
      Math.max(0, Date.now() - data.enqueuedAt) / 1000,
    );
    deps.onSucceeded?.(data.model);
    // After the answer is stored: the client never waits for the shadow.
    if (data.shadow && data.shadow !== served.version && outcome.pixels && done.applied) {
      deps.shadow?.submit(
        data.shadow,
        {
          model: data.model,
          version: served.version,
          predictions: outcome.predictions,
          inferenceMs: outcome.inferenceMs,
        },
        outcome.pixels,
      );
    }
    if (deps.logger.isLevelEnabled('debug'))
      logger().debug(
        {
          preprocessMs: round(outcome.preprocessMs),
          inferenceMs: round(outcome.inferenceMs),
          batchSize: outcome.batchSize,
          cache: outcome.cache,
          top: outcome.predictions[0],
        },
        'job succeeded',
      );
    return { status: done.applied ? 'succeeded' : (done.previous ?? 'failed') };
  }
}

/** What a job that succeeded records about its answer. */
interface Answer {
  /** The decoded image, for a shadow run (absent when the answer came from the result cache). */
  pixels?: Uint8Array | undefined;
  predictions: Prediction[];
  provider: string;
  preprocessMs: number;
  inferenceMs: number;
  batchSize: number;
  cache?: 'hit' | 'shared';
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * The job's logger (jobId, requestId and model on every line), made on first use: at info
 * level most jobs write no line, and a pino child serialises its bindings when it is made.
 */
function lazyJobLogger(parent: Logger, data: InferenceJobData): () => Logger {
  let child: Logger | undefined;
  return () => {
    child ??= parent.child({ jobId: data.jobId, requestId: data.requestId, model: data.model });
    return child;
  };
}

/** The failure a job records: its AppError, or an unclassified (transient) inference_failed. */
function failureOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // Anything unclassified (e.g. the inference thread failing) is treated as transient. Its text
  // is onnxruntime's or Node's, for operators: it stays the cause, which the log line prints.
  return new AppError('inference_failed', 'the model could not be run on this job', { cause: error });
}
