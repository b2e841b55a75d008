import type { RedisEndpoint, RedisTarget } from '@infer/contracts';
import type { RedisOptions } from 'ioredis';

/**
 * ioredis options that make a connection ask the target's sentinels for the primary;
 * none for a plain URL. Sentinel mode in short (ioredis' SentinelConnector):
 * - every (re)connect asks the sentinels in turn for the master's address, then checks
 *   with INFO that the node really is master (a stale answer is retried);
 * - `failoverDetector` stays off although ioredis 6.0.0 has it: its `+switch-master`
 *   subscription calls the connector's disconnect() even while that connector is asking the
 *   sentinels for the primary, which rejects the reconnect with "Connection is closed" and
 *   leaves the connection in the terminal `end` state for good. Measured with it on: 2 of
 *   the 3 tests of test/ha/sentinel-failover.test.ts failed that way, and in 1 of 4 SIGKILL
 *   failovers all 6 open connections ended. Without it a connection moves when the old
 *   primary's socket breaks, as a crash does at once. A primary that freezes or is cut off by
 *   a partition keeps its clients until Sentinel demotes it: a SET sent to a SIGSTOPped
 *   primary stayed pending through the failover and succeeded on the old, about-to-be-demoted
 *   primary after SIGCONT (a lost write). Guard against that on the servers
 *   (`min-replicas-to-write`) or with a +switch-master watcher that only acts on ready connections;
 * - `sentinelRetryStrategy` paces the rounds when no sentinel answers; it never gives up,
 *   because returning null would leave the connection ended for good;
 * - `sentinelCommandTimeout` moves on from a sentinel that accepts but does not answer.
 */
export function sentinelOptionsOf(target: RedisTarget): RedisOptions {
  const group = target.sentinel;
  if (!group) return {};
  if (group.addresses.length === 0) throw new Error('a Sentinel target needs at least one sentinel address');
  return {
    sentinels: group.addresses.map(({ host, port }) => ({ host, port })),
    name: group.name,
    role: 'master',
    sentinelUsername: group.username,
    sentinelPassword: group.password,
    sentinelTLS: group.tls ? {} : undefined,
    // `rediss:` means TLS to the data nodes; ioredis ignores `tls` in Sentinel mode without this.
    enableTLSForSentinelMode: new URL(target.url).protocol === 'rediss:',
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    sentinelCommandTimeout: 2000,
    failoverDetector: false,
  };
}

/** The target for logs, without credentials. */
export function describeRedisTarget(target: RedisTarget | string): string {
  const { url, sentinel, cluster } = typeof target === 'string' ? { url: target } : target;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  if (cluster) {
    const seeds = cluster.nodes.map(formatEndpoint).join(',');
    return `cluster via ${seeds}${parsed.protocol === 'rediss:' ? ' (TLS)' : ''}`;
  }
  if (!sentinel) return parsed.toString();
  const database = parsed.pathname.replace(/^\//, '') || '0';
  const addresses = sentinel.addresses.map(formatEndpoint).join(',');
  return `sentinel group "${sentinel.name}" via ${addresses} (database ${database}${parsed.protocol === 'rediss:' ? ', TLS' : ''})`;
}

export function formatEndpoint({ host, port }: RedisEndpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
