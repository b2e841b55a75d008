import type { WorkerRegistry } from '@infer/job-store';
import { inferenceQueueName } from '@infer/queues';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** BullMQ states exported per queue; KEDA scales workers on waiting + prioritized + active. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'] as const;

export interface ApiMetricsSources {
  /** Queues by model name, read at scrape time. */
  /** Each model's BullMQ queues (its QUEUE_SHARDS shards), reported summed as the model's queue. */
  queues: () => Iterable<[model: string, shards: Queue[]]>;
  workers: WorkerRegistry;
  heartbeatTtlMs: number;
  /** Requests waiting on job events right now (Prefer: wait and event streams). */
  watching?: () => number;
  /** Redis's `INFO memory` text, read at scrape time (memory used against `maxmemory`). */
  /** INFO memory of every primary (one on a single Redis, each of a Cluster's). */
  redisMemoryInfo?: () => Promise<string[]>;
}

/** Jobs of these states wait for a worker: the oldest of them gives the queue's age. */
const WAITING_STATES = ['waiting', 'prioritized'] as const;

/** A numeric field of Redis's INFO text (`used_memory:1234`), or undefined. */
export function redisInfoField(info: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:(\\d+)\\s*$`, 'm').exec(info);
  return match ? Number(match[1]) : undefined;
}

/**
 * Prometheus metrics of one API process, in a registry of its own (never the
 * global one, so that in-process tests can build several apps). Queue depth and
 * live workers are read from Redis at scrape time: every API replica reports the
 * same values, so dashboards and KEDA aggregate them with max, not sum.
 */
export function createApiMetrics(sources: ApiMetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request (event streams and Prefer: wait included), by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const jobsSubmitted = new Counter({
    name: 'inference_jobs_submitted_total',
    help: 'Jobs accepted by the API, by model',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'inference_queue_jobs',
    help: 'Jobs in each BullMQ state, per model queue (read from Redis at scrape time)',
    labelNames: ['queue', 'model', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counted = await Promise.all(
        [...sources.queues()].map(async ([model, shards]) => ({
          model,
          counts: sumCounts(await Promise.all(shards.map((queue) => queue.getJobCounts(...QUEUE_STATES)))),
        })),
      );
      for (const { model, counts } of counted) {
        for (const state of QUEUE_STATES) {
          this.set({ queue: inferenceQueueName(model), model, state }, counts[state] ?? 0);
        }
      }
    },
  });
  new Gauge({
    name: 'inference_queue_oldest_job_age_seconds',
    help: 'Age of the oldest job waiting for a worker in each model queue (waiting list, next prioritized job); 0 when none waits',
    labelNames: ['queue', 'model'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      const oldest = await Promise.all(
        [...sources.queues()].map(async ([model, shards]) => {
          // asc: the waiting list's tail (next to run, oldest) and the prioritized set's head, of every shard.
          const heads = await Promise.all(
            shards.flatMap((queue) => WAITING_STATES.map((state) => queue.getJobs([state], 0, 0, true))),
          );
          const stamps = heads.flat().map((job) => job.timestamp);
          return { model, ageMs: stamps.length === 0 ? 0 : Math.max(0, now - Math.min(...stamps)) };
        }),
      );
      for (const { model, ageMs } of oldest) this.set({ queue: inferenceQueueName(model), model }, ageMs / 1000);
    },
  });
  new Gauge({
    name: 'inference_workers_alive',
    help: 'Workers whose heartbeat is younger than WORKER_HEARTBEAT_TTL_MS, by model served',
    labelNames: ['model'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const alive = await sources.workers.alive(sources.heartbeatTtlMs);
      for (const [model] of sources.queues()) {
        this.set({ model }, alive.filter((worker) => worker.models.some((m) => m.name === model)).length);
      }
    },
  });
  new Gauge({
    // A gauge: `_total` is for counters (promtool check metrics), hence not inference_workers_alive_total.
    name: 'inference_workers_ready',
    help: 'Workers taking jobs (heartbeat younger than WORKER_HEARTBEAT_TTL_MS, models loaded), in all',
    registers: [registry],
    async collect() {
      this.set((await sources.workers.alive(sources.heartbeatTtlMs)).length);
    },
  });
  if (sources.redisMemoryInfo) {
    const infos = sources.redisMemoryInfo;
    // The primary nearest its limit (on a Cluster, the first to refuse writes), its used and max side by side.
    const memoryInfo = async () => fullestNode(await infos());
    // Named after INFO's fields; every API replica reports the same Redis (aggregate with max).
    new Gauge({
      name: 'inference_redis_used_memory_bytes',
      help: 'Memory Redis uses (INFO memory used_memory; on a Cluster, of the primary nearest its maxmemory), read at scrape time',
      registers: [registry],
      async collect() {
        this.set(redisInfoField(await memoryInfo(), 'used_memory') ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'inference_redis_maxmemory_bytes',
      help: 'Memory limit of Redis (INFO memory maxmemory; 0 = no limit), read at scrape time',
      registers: [registry],
      async collect() {
        this.set(redisInfoField(await memoryInfo(), 'maxmemory') ?? Number.NaN);
      },
    });
  }
  if (sources.watching) {
    const watching = sources.watching;
    new Gauge({
      name: 'http_job_watchers',
      help: 'Requests waiting on job state changes (Prefer: wait, event streams)',
      registers: [registry],
      collect() {
        this.set(watching());
      },
    });
  }

  /**
   * Count and time every request by its route pattern (`/v1/jobs/:id`), never the
   * raw URL: ids in labels would create a series per job. Unrouted requests share one label.
   */
  const middleware: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    res.once('close', () => {
      const route = req.route?.path;
      const labels = {
        method: req.method,
        // Express needs `\\:` for a literal colon (`/v1/jobs\\:batch`); the label shows the path as clients see it.
        route: typeof route === 'string' ? `${req.baseUrl}${route}`.replace(/\\:/g, ':') : 'unmatched',
        status: String(res.statusCode),
      };
      requests.inc(labels);
      stop(labels);
    });
    next();
  };

  return { registry, middleware, jobsSubmitted };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;

function sumCounts(shards: readonly Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counts of shards)
    for (const [state, count] of Object.entries(counts)) sum[state] = (sum[state] ?? 0) + count;
  return sum;
}

/** Of several primaries' INFO memory, the one using the largest share of its maxmemory (or the most memory, without limits). */
function fullestNode(infos: readonly string[]): string {
  const fill = (info: string) => {
    const used = redisInfoField(info, 'used_memory') ?? 0;
    const max = redisInfoField(info, 'maxmemory') ?? 0;
    return max > 0 ? used / max : used / Number.MAX_SAFE_INTEGER;
  };
  return infos.reduce((fullest, info) => (fill(info) > fill(fullest) ? info : fullest), infos[0] ?? '');
}
