import { execAll, type KindCount, type MigrationContext } from './context.ts';
import { OLD_WEBHOOK_QUEUE } from './old-layout.ts';

const BATCH = 500;

/** A stream entry's value of one field (entries are flat field, value lists). */
function fieldOf(flat: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return undefined;
}

/**
 * The webhook outbox (one stream) into the outbox of each event's job shard (field `job_id`),
 * entry by entry with the same fields, oldest first, so each shard keeps its events in order.
 * Each batch appends its entries and deletes them from the old stream in one MULTI (one
 * server): a crash leaves every entry in exactly one of the two, and a second run moves the
 * rest. The new dispatcher creates its consumer group on each shard's outbox from the start,
 * so it relays what is moved here; the old stream goes, with its group, once empty.
 *
 * An entry the old relay had already turned into a delivery (read, added to the old `webhooks`
 * queue, not yet acknowledged when it stopped) is dropped instead: that delivery is moved by
 * the webhook queue step, or was sent already; relaying it again would send it again, as the
 * new `{webhooks}` queue does not know its delivery id. So this step runs before that one.
 */
export async function moveOutbox(ctx: MigrationContext): Promise<KindCount[]> {
  const { redis, old } = ctx;
  let moved = 0;
  let relayed = 0;
  let from = '-';
  for (;;) {
    const entries = (await redis.xrange(old.webhookOutbox, from, '+', 'COUNT', BATCH)) as [string, string[]][];
    if (entries.length === 0) break;
    from = `(${(entries.at(-1) as [string, string[]])[0]}`;
    const deliveries = entries.map(([, flat]) => fieldOf(flat, 'delivery_id') ?? fieldOf(flat, 'event_id') ?? '');
    const check = redis.pipeline();
    for (const delivery of deliveries) check.exists(old.queueKey(OLD_WEBHOOK_QUEUE, delivery));
    const known = await execAll(check);
    const fresh = entries.filter((_entry, i) => known[i] !== 1);
    moved += fresh.length;
    relayed += entries.length - fresh.length;
    if (ctx.dryRun) continue;
    const tx = redis.multi();
    for (const [, flat] of fresh) tx.xadd(ctx.keys.shardOf(fieldOf(flat, 'job_id') ?? '').webhookOutbox, '*', ...flat);
    tx.xdel(old.webhookOutbox, ...entries.map(([id]) => id));
    await execAll(tx);
  }
  if (!ctx.dryRun && (await redis.exists(old.webhookOutbox)) === 1 && (await redis.xlen(old.webhookOutbox)) === 0) {
    await redis.del(old.webhookOutbox);
  }
  return [
    {
      kind: 'webhook outbox events',
      count: moved,
      note:
        relayed > 0
          ? `and ${relayed} already relayed to the old webhooks queue: dropped, their delivery is moved or sent`
          : undefined,
    },
  ];
}
