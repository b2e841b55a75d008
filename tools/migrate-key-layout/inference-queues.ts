import { JOB_FIELDS, JobStore } from '@infer/job-store';
import { execAll, type KindCount, type MigrationContext } from './context.ts';
import { OLD_INFERENCE_QUEUE } from './old-layout.ts';
import { finishedCount, obliterate, pendingJobIds } from './old-queues.ts';

const BATCH = 500;

interface Tally {
  queued: number;
  handedBack: number;
  gone: number;
  history: number;
}

/**
 * The jobs waiting in the old per-model queues (`inference.<model>`: waiting, prioritized,
 * delayed, paused) are not copied into the new queues: each gets an enqueue intent in its
 * shard, scored with its record's creation time (BullMQ's timestamp if the record lacks one),
 * and the new API's enqueue repair (apps/api/src/background/enqueue-repair.ts) enqueues every
 * due intent whose job is still queued and absent from its queue, into the queue shard of its
 * id, with the priority its record carries: the one code path that enqueues a stored job.
 * A delayed job (waiting out a retry's backoff) is so enqueued at once.
 *
 * A job waiting in BullMQ whose record says `running` was put back in line by BullMQ's stalled
 * check after its worker died; the repair enqueues only queued records, so it is handed back
 * first (the lifecycle's `handBack`, running -> queued, which emits no webhook). A job whose
 * record is finished or gone is not wanted any more and goes with the queue.
 *
 * Records are moved before this step (their new keys are read here). The intents are written
 * before the old queue is obliterated, so a crash in between leaves them written and the queue
 * whole, and a second run writes the same intents (ZADD) and obliterates it.
 */
export async function moveInferenceQueues(
  ctx: MigrationContext,
  models: readonly string[],
  served: ReadonlySet<string> | undefined,
): Promise<{ counts: KindCount[]; warnings: string[] }> {
  const total: Tally = { queued: 0, handedBack: 0, gone: 0, history: 0 };
  const warnings: string[] = [];
  const store = new JobStore(ctx.redis, ctx.prefix, ctx.resultTtlSeconds);
  for (const model of models) {
    const queue = OLD_INFERENCE_QUEUE(model);
    const tally = await queueJobsToIntents(ctx, store, queue);
    tally.history = await finishedCount(ctx, queue);
    if (!ctx.dryRun) await obliterate(ctx, queue);
    for (const name of Object.keys(total) as (keyof Tally)[]) total[name] += tally[name];
    if (served && !served.has(model) && tally.queued > 0) {
      warnings.push(
        `${tally.queued} queued job(s) of model "${model}", which MODEL_REPOSITORY does not hold: the new API ` +
          'enqueues them only once it serves that model (their intents wait until then).',
      );
    }
  }
  const notes = [
    total.handedBack > 0 ? `${total.handedBack} of them handed back from running, their worker having died` : '',
    total.gone > 0 ? `${total.gone} finished or without a record, dropped with the queue` : '',
  ].filter(Boolean);
  return {
    counts: [
      {
        kind: 'jobs waiting in old inference queues -> enqueue intents',
        count: total.queued,
        note: notes.length > 0 ? notes.join('; ') : undefined,
      },
      {
        kind: 'completed/failed history of old inference queues',
        count: total.history,
        note: 'job records keep every result',
        dropped: true,
      },
    ],
    warnings,
  };
}

async function queueJobsToIntents(ctx: MigrationContext, store: JobStore, queue: string): Promise<Tally> {
  const tally: Tally = { queued: 0, handedBack: 0, gone: 0, history: 0 };
  const ids = await pendingJobIds(ctx, queue);
  const { status, createdAt } = JOB_FIELDS;
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const read = ctx.redis.pipeline();
    for (const id of batch) {
      // The record's new name; its old one in a dry run, where records have not moved.
      read.hmget(ctx.keys.job(id), status.name, createdAt.name);
      read.hmget(ctx.old.job(id), status.name, createdAt.name);
      read.hget(ctx.old.queueKey(queue, id), 'timestamp');
    }
    const replies = await execAll(read);
    const intents: { id: string; score: number }[] = [];
    const handBack: string[] = [];
    for (const [i, id] of batch.entries()) {
      const moved = replies[3 * i] as [string | null, string | null];
      const [state, created] = moved[0] === null ? (replies[3 * i + 1] as [string | null, string | null]) : moved;
      const timestamp = replies[3 * i + 2] as string | null;
      if (state !== 'queued' && state !== 'running') {
        tally.gone += 1;
        continue;
      }
      if (state === 'running') handBack.push(id);
      const score = (created ? Date.parse(created) : Number.NaN) || Number(timestamp) || Date.now();
      intents.push({ id, score });
    }
    tally.queued += intents.length;
    tally.handedBack += handBack.length;
    if (ctx.dryRun) continue;
    for (const id of handBack) await store.apply('handBack', id);
    const write = ctx.redis.pipeline();
    for (const { id, score } of intents) write.zadd(ctx.keys.shardOf(id).enqueueIntents, score, id);
    await execAll(write);
  }
  return tally;
}
