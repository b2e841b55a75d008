import { AppError } from '@infer/contracts';
import type { Redis } from 'ioredis';

/**
 * Acknowledged means replicated (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS): a submission's
 * transaction is followed by `WAIT replicas timeoutMs` on the connection that wrote it, and the
 * submission is answered 2xx only once that many replicas have it. WAIT counts the replicas that
 * acknowledged this connection's last write, so it must run where the write ran; and a WAIT
 * blocks every command queued behind it on its connection, so durable writes get a connection of
 * their own (`connection`), never the one that answers reads.
 *
 * As Redis says of WAIT: it narrows the window in which a failover loses an acknowledged write, it
 * does not close it (a replica that received the write may not be the one promoted, and replicas
 * do not fsync before they acknowledge).
 */
export interface DurableWrites {
  /** The connection durable writes and their WAIT run on (a producer connection of their own). */
  connection: Redis;
  /** Replicas that must acknowledge; 0 turns WAIT off. */
  replicas: number;
  timeoutMs: number;
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
