import { WEBHOOK_QUEUE_NAME, webhookDeliveryOptions } from '@infer/queues';
import { type Job, type JobsOptions, Queue } from 'bullmq';
import { execAll, type KindCount, type MigrationContext } from './context.ts';
import { OLD_WEBHOOK_QUEUE } from './old-layout.ts';
import { finishedCount, obliterate, oldQueue, pendingJobIds } from './old-queues.ts';

const BATCH = 200;

/** BullMQ's delayed-set score: the due time (epoch ms) times 0x1000, plus an ordering counter. */
const dueTimeOf = (score: string | null): number | undefined =>
  score === null ? undefined : Math.floor(Number(score) / 0x1000);

/**
 * A pending delivery's add options in `{webhooks}`: the delivery's own id (the BullMQ job id,
 * so a second run adds nothing, and the new relay deduplicates against it), the options the
 * relay gives every delivery (webhookDeliveryOptions), and what is left of its series: the
 * attempts not yet made and, for one waiting out a retry, the rest of its delay. BullMQ counts
 * attempts from 0 again in the new queue, so the attempt numbers recorded on the job, and the
 * retry schedule's delays, start over for what is left of the series.
 */
export function deliveryOptions(job: Job, dueAt: number | undefined, now: number): JobsOptions {
  const attempts = Math.max(1, (job.opts.attempts ?? 1) - job.attemptsMade);
  // The old relay always named its backoff; none at all retries at once, as a fixed delay of 0 does.
  const { backoff = { type: 'fixed', delay: 0 } } = job.opts;
  const delay = dueAt === undefined ? 0 : Math.max(0, dueAt - now);
  return {
    ...webhookDeliveryOptions({
      deliveryId: job.id as string,
      attempts,
      backoff: typeof backoff === 'number' ? { type: 'fixed', delay: backoff } : backoff,
    }),
    ...(delay > 0 ? { delay } : {}),
    ...(job.opts.telemetry ? { telemetry: job.opts.telemetry } : {}),
  };
}

/**
 * The deliveries pending in the old `webhooks` queue (waiting, prioritized, delayed, paused) are
 * added to the new `{webhooks}` queue with the same id, name and data (the frozen body); then
 * the old queue is obliterated. Its completed and failed deliveries are history (each job
 * record keeps its delivery state, the dead-letter stream keeps the failures) and are dropped.
 * A crash before the obliterate leaves the old queue whole; a second run adds the same
 * deliveries (a no-op by id) and obliterates it.
 */
export async function moveWebhookQueue(ctx: MigrationContext): Promise<KindCount[]> {
  const ids = await pendingJobIds(ctx, OLD_WEBHOOK_QUEUE);
  const history = await finishedCount(ctx, OLD_WEBHOOK_QUEUE);
  const source = oldQueue(ctx, OLD_WEBHOOK_QUEUE);
  // Made only to write to: a BullMQ Queue writes its meta key when made.
  const target = ctx.dryRun ? undefined : new Queue(WEBHOOK_QUEUE_NAME, { connection: ctx.redis, prefix: ctx.prefix });
  let moved = 0;
  try {
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      const scores = ctx.redis.pipeline();
      for (const id of batch) scores.zscore(ctx.old.queueKey(OLD_WEBHOOK_QUEUE, 'delayed'), id);
      const [jobs, due] = await Promise.all([Promise.all(batch.map((id) => source.getJob(id))), execAll(scores)]);
      const now = Date.now();
      const bulk = jobs.flatMap((job, i) =>
        job
          ? [{ name: job.name, data: job.data, opts: deliveryOptions(job, dueTimeOf(due[i] as string | null), now) }]
          : [],
      );
      moved += bulk.length;
      if (target && bulk.length > 0) await target.addBulk(bulk);
    }
  } finally {
    await Promise.all([source.close(), target?.close()]);
  }
  if (!ctx.dryRun) await obliterate(ctx, OLD_WEBHOOK_QUEUE);
  return [
    { kind: 'pending webhook deliveries -> {webhooks}', count: moved },
    {
      kind: 'completed/failed history of the old webhooks queue',
      count: history,
      note: 'job records keep their delivery state; failures stay in the dead-letter stream',
      dropped: true,
    },
  ];
}
