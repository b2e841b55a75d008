import type { Redis } from 'ioredis';
import { type KindCount, migrationContext } from './context.ts';
import { moveInferenceQueues } from './inference-queues.ts';
import { countUnchanged, deleteWorkerRegistry, findLeftovers } from './leftovers.ts';
import { findOldQueues } from './old-queues.ts';
import { moveOutbox } from './outbox.ts';
import { blockersOf, isClusterNode } from './preflight.ts';
import { renameAll, renameSpecs } from './renames.ts';
import { moveJobSets, moveOwnerIndexes } from './sorted-sets.ts';
import { moveWebhookQueue } from './webhook-queue.ts';

export interface MigrationOptions {
  /** QUEUE_PREFIX. */
  prefix: string;
  /** RESULT_TTL_SECONDS (the job store's, for the jobs handed back). */
  resultTtlSeconds: number;
  dryRun?: boolean;
  /** The models of MODEL_REPOSITORY, to warn of queued jobs of a model the new API will not serve; undefined: no check. */
  models?: readonly string[] | undefined;
  /** Start although processes of a deployment are connected (another deployment's, on another prefix). */
  ignoreConnectedClients?: boolean;
  /** Each step's name as it starts (progress on a large Redis). */
  onStep?: (step: string) => void;
}

export interface MigrationReport {
  dryRun: boolean;
  /** Per kind, in the order moved: how many were moved (or would be). */
  moved: KindCount[];
  /** Kinds named alike in both layouts, left as they are. */
  unchanged: KindCount[];
  /** Old-layout keys left behind (see findLeftovers). */
  leftovers: { count: number; examples: string[] };
  /** Why a run would refuse (a dry run reports them; a run throws MigrationRefusedError). */
  blockers: string[];
  warnings: string[];
  durationMs: number;
}

export class MigrationRefusedError extends Error {
  readonly reasons: string[];

  constructor(reasons: string[]) {
    super(`migration refused, nothing changed:\n- ${reasons.join('\n- ')}`);
    this.reasons = reasons;
    this.name = 'MigrationRefusedError';
  }
}

/**
 * Move one deployment's keys from the previous release's layout (one Redis) to the sharded one
 * (packages/job-store keys.ts, hash-tagged queues), with the API, workers and dispatcher stopped.
 * Each step is safe to repeat and to interrupt (see each), and steps that read what an earlier
 * one moved come after it: records before the queue step that reads them at their new names,
 * the outbox before the webhook queue it deduplicates against. A second run finds nothing old
 * and changes nothing.
 */
export async function migrateKeyLayout(redis: Redis, options: MigrationOptions): Promise<MigrationReport> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const ctx = migrationContext(redis, { prefix: options.prefix, dryRun, resultTtlSeconds: options.resultTtlSeconds });
  const step = options.onStep ?? (() => undefined);
  if (await isClusterNode(redis)) {
    throw new MigrationRefusedError([
      'this server is a Redis Cluster node: the old key layout only ever ran on a single Redis (or a Sentinel-managed primary)',
    ]);
  }
  step('preflight');
  const queues = await findOldQueues(ctx);
  const { blockers, warnings } = await blockersOf(ctx, queues, {
    ignoreConnectedClients: options.ignoreConnectedClients ?? false,
  });
  if (blockers.length > 0 && !dryRun) throw new MigrationRefusedError(blockers);
  const leftoversBefore = dryRun ? await findLeftovers(ctx, false) : undefined;

  const moved: KindCount[] = [];
  for (const spec of renameSpecs(ctx)) {
    step(spec.kinds.join(', '));
    moved.push(...(await renameAll(ctx, spec)));
  }
  step('enqueue intents, deadlines');
  moved.push(...(await moveJobSets(ctx)));
  step('owner indexes');
  moved.push(...(await moveOwnerIndexes(ctx)));
  step('webhook outbox');
  moved.push(...(await moveOutbox(ctx)));
  step('old inference queues');
  const served = options.models === undefined ? undefined : new Set(options.models);
  const inference = await moveInferenceQueues(ctx, queues.models, served);
  moved.push(...inference.counts);
  warnings.push(...inference.warnings);
  if (queues.webhooks) {
    step('old webhooks queue');
    moved.push(...(await moveWebhookQueue(ctx)));
  }
  step('worker registry');
  moved.push(...(await deleteWorkerRegistry(ctx)));

  step('what is left');
  const unchanged = await countUnchanged(ctx);
  const leftovers = leftoversBefore ?? (await findLeftovers(ctx, true));
  return { dryRun, moved, unchanged, leftovers, blockers, warnings, durationMs: performance.now() - started };
}
