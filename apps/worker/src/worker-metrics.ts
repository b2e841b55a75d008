import type { ModelServer } from '@infer/inference';
import { sampledSpanIds } from '@infer/telemetry';
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type LabelValues,
  type Metric,
  type OpenMetricsContentType,
  Registry,
} from 'prom-client';

/**
 * The `version` label of a job's metrics: the version it runs on, as the repository names it
 * (a bounded set), or `unknown` when this worker does not serve it (the job fails).
 */
export function versionLabel(server: ModelServer, job: { model: string; version?: string | undefined }): string {
  try {
    return server.resolve(job.model, job.version).version;
  } catch {
    return 'unknown';
  }
}

/** Live values read at scrape time. */
export interface WorkerMetricsState {
  ready: () => boolean;
  /** Images waiting for or running in an inference batch. */
  pending: () => number;
}

/** A job latency histogram: observed inside the job's trace (its processing span active). */
export interface LatencyHistogram<T extends string> {
  observe(labels: LabelValues<T>, seconds: number): void;
}

/**
 * A histogram of job latencies, registered in `registry`. With `exemplars`, each bucket keeps
 * the trace and span of its latest observation made inside a sampled trace; prom-client
 * accepts that only for a histogram made in an OpenMetrics registry (`openMetrics`), and
 * writes exemplars only there. Without, the plain histogram: nothing more per observation.
 */
function latencyHistogram<T extends string>(
  config: { name: string; help: string; labelNames: readonly T[]; buckets: number[] },
  registry: Registry,
  openMetrics: Registry<OpenMetricsContentType> | undefined,
): LatencyHistogram<T> {
  if (!openMetrics) return new Histogram({ ...config, registers: [registry] });
  const histogram = new Histogram({ ...config, enableExemplars: true, registers: [openMetrics] });
  registry.registerMetric(histogram);
  return {
    observe(labels, value) {
      // The exemplar's labels are not the histogram's: prom-client types them as if they were.
      const exemplarLabels = (sampledSpanIds() ?? {}) as LabelValues<T>;
      histogram.observe({ labels, value, exemplarLabels });
    },
  };
}

/**
 * The same metrics as `registry` in an OpenMetrics registry, to serve with exemplars. Counters
 * enter it as views (objects inheriting from them): rendering OpenMetrics renames a counter
 * (drops `_total` from its name), which must not change what `registry` writes in the
 * Prometheus text format. The views read the counters' live values.
 */
function openMetricsView(registry: Registry, openMetrics: Registry<OpenMetricsContentType>): void {
  for (const metric of registry.getMetricsAsArray()) {
    if (openMetrics.getSingleMetric(metric.name)) continue; // made there (the exemplar histograms)
    // What the registry holds are the metrics themselves (its type says less).
    const held = metric as unknown as Metric;
    openMetrics.registerMetric(held instanceof Counter ? Object.create(held) : held);
  }
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return openMetrics;
}

export interface WorkerMetricsOptions {
  /**
   * Exemplars (trace and span id) on the job latency histograms, served as OpenMetrics to a
   * scraper that asks for it: on while this process exports traces.
   */
  exemplars?: boolean;
}

/**
 * Prometheus metrics of one worker process, served on WORKER_PORT /metrics. Per-job metrics
 * carry the model and the version the job ran on (names from the model repository, so the
 * series are bounded; never a job id). `version` is `unknown` for a job whose version this
 * worker does not serve (it fails with `model_not_found`).
 *
 * `registry` writes the Prometheus text format (KEDA, promtool, a Prometheus without exemplar
 * storage); `openMetrics`, present only with exemplars, the same metrics as OpenMetrics with the
 * latency histograms' exemplars.
 */
export function createWorkerMetrics(state: WorkerMetricsState, options: WorkerMetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const openMetrics = options.exemplars ? openMetricsRegistry() : undefined;
  const metrics = {
    registry,
    openMetrics,
    jobs: new Counter({
      name: 'worker_jobs_total',
      help: 'Job attempts ended by this worker, by model, version and outcome (succeeded, failed, retried, handed_back)',
      labelNames: ['model', 'version', 'outcome'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'worker_job_failures_total',
      help: 'Jobs failed for good by this worker, by model, version and error code',
      labelNames: ['model', 'version', 'code'] as const,
      registers: [registry],
    }),
    stageSeconds: latencyHistogram(
      {
        name: 'worker_stage_seconds',
        help: 'Time per job stage: queue (submission to start, earlier attempts included), preprocess, inference',
        labelNames: ['model', 'version', 'stage'] as const,
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      },
      registry,
      openMetrics,
    ),
    batchSize: new Histogram({
      name: 'worker_batch_size',
      help: 'Images per inference batch, by model and version',
      labelNames: ['model', 'version'] as const,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    jobSeconds: latencyHistogram(
      {
        name: 'worker_job_duration_seconds',
        help: 'From submission to the result or failure stored (end to end, retries included), by model, version and outcome (succeeded, failed)',
        labelNames: ['model', 'version', 'outcome'] as const,
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      },
      registry,
      openMetrics,
    ),
    cache: new Counter({
      name: 'worker_result_cache_total',
      help: 'Result cache lookups (RESULT_CACHE_TTL_SECONDS), by model and outcome (hit, shared, miss)',
      labelNames: ['model', 'outcome'] as const,
      registers: [registry],
    }),
    reclaimed: new Counter({
      name: 'worker_reclaimed_jobs_total',
      help: 'Jobs of dead worker processes whose locks this worker released for the stalled check to requeue, by queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    batchLimit: new Gauge({
      name: 'worker_batch_size_limit',
      help: 'Batch size cap of each model version: chosen on this hardware (BATCH_AUTOTUNE) or MAX_BATCH_SIZE',
      labelNames: ['model', 'version'] as const,
      registers: [registry],
    }),
    ready: new Gauge({
      name: 'worker_ready',
      help: '1 once models are loaded and warmed up and queues are consumed, 0 while starting or draining',
      registers: [registry],
      collect() {
        this.set(state.ready() ? 1 : 0);
      },
    }),
    pending: new Gauge({
      name: 'worker_inference_pending',
      help: 'Images waiting for or running in an inference batch',
      registers: [registry],
      collect() {
        this.set(state.pending());
      },
    }),
    provider: new Gauge({
      name: 'worker_execution_provider_info',
      help: 'Execution provider in use (value 1)',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
  };
  if (openMetrics) openMetricsView(registry, openMetrics);
  return metrics;
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
