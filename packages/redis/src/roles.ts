import type { RedisOptions } from 'ioredis';

/**
 * - producer: the API's connection. Fails fast while Redis is down or a failover is under
 *   way (no offline queue), so a request answers 503 at once instead of hanging.
 * - worker: BullMQ Worker/blocking connections; must retry forever
 *   (`maxRetriesPerRequest: null`, required by BullMQ).
 * - subscriber: pub/sub listener; retries forever too (ioredis subscribes again on reconnect).
 */
export type RedisRole = 'producer' | 'worker' | 'subscriber';

/** The options that make a connection behave as its role needs, whatever server it reaches. */
export function roleOptions(role: RedisRole): RedisOptions {
  return {
    connectionName: `infer-${role}`,
    enableReadyCheck: true,
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null }),
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}
