import type { Prediction } from '@infer/contracts';
import type { ModelServer } from '@infer/inference';
import type { ShadowStatsStore } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { outsideTraces } from '@infer/telemetry';

export interface ShadowRunnerOptions {
  server: ModelServer;
  stats: ShadowStatsStore;
  logger: Logger;
  /** Shadow runs held at once; one more is dropped (and counted), never queued. */
  maxInFlight: number;
  /** Images waiting for or in a batch above which the worker counts as saturated: shadows are dropped. */
  saturatedAt: number;
}

/** What the primary answered for a shadowed job. */
export interface PrimaryAnswer {
  model: string;
  version: string;
  predictions: Prediction[];
  inferenceMs: number;
}

/**
 * Runs a shadowed job's image on the candidate version after its primary answered (the
 * client never waits for it), compares the two answers here, where both are in hand, and
 * adds the comparison to the candidate's stats. Under load the shadow is dropped: it never
 * takes a batch slot from a job that answers a client.
 */
export class ShadowRunner {
  private readonly options: ShadowRunnerOptions;
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(options: ShadowRunnerOptions) {
    this.options = options;
  }

  /** Start the shadow run of one decoded image (pixels at the model's size); returns at once. */
  submit(candidate: string, primary: PrimaryAnswer, pixels: Uint8Array): void {
    const { server, stats, logger } = this.options;
    const saturated = this.inFlight >= this.options.maxInFlight || server.pending >= this.options.saturatedAt;
    if (saturated) {
      this.track(stats.count(primary.model, candidate, 'dropped'));
      return;
    }
    this.inFlight++;
    // Its own work, not the job's: the job's trace ended with its answer.
    this.track(
      outsideTraces(async () => {
        let lease: ReturnType<ModelServer['acquire']> | undefined;
        try {
          lease = server.acquire(primary.model, candidate);
          const outcome = await server.infer(primary.model, candidate, pixels);
          await stats.recordComparison(primary.model, candidate, {
            agreed: outcome.predictions[0]?.label === primary.predictions[0]?.label,
            meanAbsScoreDiff: meanAbsScoreDiff(primary.predictions, outcome.predictions),
            primaryMs: primary.inferenceMs,
            candidateMs: outcome.inferenceMs,
          });
        } catch (error) {
          logger.warn({ model: primary.model, candidate, err: error }, 'shadow run failed');
          await stats.count(primary.model, candidate, 'candidate_errors');
        } finally {
          lease?.release();
          this.inFlight--;
        }
      }),
    );
  }

  /** Count a shadowed job whose primary failed: the candidate is not run. */
  primaryFailed(model: string, candidate: string): void {
    this.track(this.options.stats.count(model, candidate, 'primary_errors'));
  }

  private track(work: Promise<unknown>): void {
    const done = work
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'shadow stats not recorded'))
      .then(() => undefined)
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Wait for the shadow runs under way (shutdown, before the inference thread stops). */
  async drained(): Promise<void> {
    await Promise.all([...this.running]);
  }
}

/** Mean over labels of |primary score - candidate score|, matching labels by name. */
export function meanAbsScoreDiff(primary: Prediction[], candidate: Prediction[]): number {
  if (primary.length === 0) return 0;
  const scores = new Map(candidate.map((p) => [p.label, p.score]));
  let sum = 0;
  for (const { label, score } of primary) sum += Math.abs(score - (scores.get(label) ?? 0));
  return sum / primary.length;
}
