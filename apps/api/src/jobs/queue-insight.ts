import type { WaitingReason, WorkerHeartbeat } from '@infer/contracts';
import type { WorkerRegistry } from '@infer/job-store';
import type { InferenceQueues } from '@infer/queues';

export interface QueueStanding {
  queue_position: number | null;
  eta_ms: number | null;
  waiting_reason: WaitingReason;
}

export interface ModelLiveness {
  ready: number;
  loading: number;
  /** Jobs per second finished by its ready workers over the last minute. */
  throughput: number;
}

/**
 * Where a queued job stands: its place in line, an estimate of the wait from the
 * model's recent throughput (position / jobs per second of its ready workers),
 * and why it waits. Worker heartbeats are read at most once per `cacheMs` for
 * every request of this process, so a GET costs one extra round trip (the position).
 */
export class QueueInsight {
  private cached: { at: number; workers: Promise<WorkerHeartbeat[]> } | undefined;

  private readonly queues: InferenceQueues;
  private readonly registry: WorkerRegistry;
  private readonly heartbeatTtlMs: number;
  private readonly cacheMs: number;

  constructor(queues: InferenceQueues, registry: WorkerRegistry, heartbeatTtlMs: number, cacheMs = 1000) {
    this.queues = queues;
    this.registry = registry;
    this.heartbeatTtlMs = heartbeatTtlMs;
    this.cacheMs = cacheMs;
  }

  async standing(model: string, id: string): Promise<QueueStanding> {
    const [position, liveness] = await Promise.all([
      this.queues.position(model, id).catch(() => null),
      this.liveness(model),
    ]);
    const eta =
      position !== null && liveness.throughput > 0 ? Math.round((position / liveness.throughput) * 1000) : null;
    return {
      queue_position: position,
      eta_ms: liveness.ready > 0 ? eta : null,
      waiting_reason: reasonOf(position, liveness),
    };
  }

  async liveness(model: string): Promise<ModelLiveness> {
    const serving = (await this.workers()).filter((worker) => worker.models.some((m) => m.name === model));
    const ready = serving.filter((worker) => worker.state === 'ready');
    return {
      ready: ready.length,
      loading: serving.filter((worker) => worker.state === 'loading').length,
      throughput: ready.reduce((sum, worker) => sum + (worker.throughput[model] ?? 0), 0),
    };
  }

  private workers(): Promise<WorkerHeartbeat[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.cacheMs) {
      const workers = this.registry.seen(this.heartbeatTtlMs);
      // A failed read is not cached: the next request tries again.
      workers.catch(() => {
        if (this.cached?.workers === workers) this.cached = undefined;
      });
      this.cached = { at: now, workers };
    }
    return this.cached.workers;
  }
}

function reasonOf(position: number | null, liveness: ModelLiveness): WaitingReason {
  if (liveness.ready === 0) return liveness.loading > 0 ? 'model_loading' : 'no_worker_for_model';
  // Queued but in neither list: BullMQ holds it delayed, i.e. backing off before a retry.
  if (position === null) return 'retry_backoff';
  return 'workers_busy';
}
