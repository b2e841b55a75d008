import { AppError } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';

/**
 * Acknowledged means replicated (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS): a submission's
 * transaction is followed by `WAIT replicas timeoutMs` on the connection that wrote it, and the
 * submission is answered 2xx only once that many replicas have it. WAIT counts the replicas that
 * acknowledged this connection's last write, so it must run where the write ran; and a WAIT
 * blocks every command queued behind it on its connection, so durable writes get connections of
 * their own (`connections`, taken in turn so that concurrent submissions wait side by side),
 * never the one that answers reads.
 *
 * As Redis says of WAIT: it narrows the window in which a failover loses an acknowledged write, it
 * does not close it (a replica that received the write may not be the one promoted, and replicas
 * do not fsync before they acknowledge).
 */
export interface DurableWrites {
  /** The connections durable writes and their WAIT run on (producer connections of their own), taken in turn. */
  connections: readonly RedisClient[];
  /** Replicas that must acknowledge; 0 turns WAIT off. */
  replicas: number;
  timeoutMs: number;
}

const turns = new WeakMap<DurableWrites, number>();

/** The connection for the next durable write: each in turn, a write and its WAIT on the same one. */
export function durableConnection(durable: DurableWrites): RedisClient {
  const turn = turns.get(durable) ?? 0;
  turns.set(durable, turn + 1);
  const connection = durable.connections[turn % durable.connections.length];
  if (!connection) throw new Error('DurableWrites needs at least one connection');
  return connection;
}

/** What to WAIT for after a transaction (scripts.ts `transaction`). */
export type ReplicaWait = Pick<DurableWrites, 'replicas' | 'timeoutMs'>;

/** Too few replicas acknowledged in time: 503 with Retry-After; the write itself stands (a retry with the same Idempotency-Key finds it). */
export function replicationShortfall(acknowledged: number, required: number): AppError {
  return new AppError(
    'service_unavailable',
    `the submission was written but only ${acknowledged} of ${required} Redis replicas confirmed it in time; retry (with the same Idempotency-Key to get the same job)`,
    { headers: { 'Retry-After': '1' }, details: { reason: 'replication', acknowledged, required } },
  );
}
