import { Patience } from './patience.ts';

/**
 * Values read from Redis on every request, answered from the last read when a fresh one is slow
 * or fails. On a Redis Cluster, one primary failing over stalls every command to its slots for
 * its 3-5 s: a read that every submission makes (a model's routing policy, its queue depth over
 * every queue shard) would stall submissions whose own jobs go to healthy primaries. So each
 * read waits at most `patienceMs` for Redis; past that, or on an error, it answers the last
 * value read for the key, as long as that is younger than `maxAgeMs`. With no such value the
 * fresh read is awaited (and its error thrown). A fresh read that comes in late still updates
 * the value. When Redis answers in time (always, outside a failover) the answer is always fresh.
 */
export class LastKnown<V> {
  private readonly known = new Map<string, { value: V; at: number }>();
  private readonly patience: Patience;
  private readonly maxAgeMs: number;

  constructor(options: { patienceMs: number; maxAgeMs: number }) {
    this.patience = new Patience(options.patienceMs);
    this.maxAgeMs = options.maxAgeMs;
  }

  /** `read()`'s value for `key`, or the last one known when it is slow or fails (see the class). */
  get(key: string, read: () => Promise<V>): Promise<V> {
    const fresh = read().then((value) => {
      this.known.set(key, { value, at: Date.now() });
      return value;
    });
    const last = this.known.get(key);
    if (!last || Date.now() - last.at > this.maxAgeMs) return fresh;
    return this.patience.within(
      fresh.catch(() => last.value),
      () => last.value,
    );
  }

  /** Change the last known value in place (e.g. jobs admitted since it was read); nothing when none is known. */
  update(key: string, change: (value: V) => V): void {
    const last = this.known.get(key);
    if (last) last.value = change(last.value);
  }
}
