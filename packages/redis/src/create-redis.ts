import type { RedisTarget } from '@infer/contracts';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './client.ts';
import { type RedisRole, roleOptions } from './roles.ts';
import { sentinelOptionsOf } from './target.ts';

/**
 * A connection for `role` to `target`: a plain URL (`redis://`, `rediss://`) or a
 * RedisTarget (packages/config's `redisTargetOf(env)`), which with `sentinel` set follows
 * the primary the sentinels name across failovers, and with `cluster` set is a Redis
 * Cluster client (see clusterOptionsOf). `extra` wins over everything.
 */
export function createRedis(target: string, role: RedisRole, extra?: RedisOptions): Redis;
export function createRedis(target: RedisTarget | string, role: RedisRole, extra?: RedisOptions): RedisClient;
export function createRedis(target: RedisTarget | string, role: RedisRole, extra: RedisOptions = {}): RedisClient {
  const { url, ...rest } = typeof target === 'string' ? { url: target } : target;
  if (rest.cluster) return new Cluster(rest.cluster.nodes, clusterOptionsOf(url, role, extra));
  return new Redis(url, { ...roleOptions(role), ...sentinelOptionsOf({ url, ...rest }), ...extra });
}

/**
 * A Cluster client for `role`: each node connection behaves as the role's single-server one
 * (credentials and TLS from `url`), and the client as a whole:
 * - follows slot moves and failovers: a MOVED or ASK reply is followed at once; during a
 *   failover (CLUSTERDOWN, a closed node connection) commands are retried after
 *   `retryDelayOnFailover`/`retryDelayOnClusterDown` and the slot map refreshed, up to
 *   `maxRedirections` times. Measured with test/faults/cluster.faults.test.ts: a SIGKILLed
 *   primary's slots are served by its replica some 3-5 s later (cluster-node-timeout 2000);
 * - producers keep no offline queue, as on one server (a request answers 503 at once rather than
 *   hanging); `enableOfflineQueue` at the Cluster level is what queues commands while the slot
 *   map is being learnt, so it stays on for the other roles;
 * - reads go to primaries (`scaleReads: 'master'`): a replica's answer may be behind the write
 *   that preceded it;
 * - `shardedSubscribers` lets subscribers use SSUBSCRIBE, each channel on the node serving
 *   its slot (the job events are published per job-store shard with SPUBLISH);
 * - `dnsLookup` keeps the hostnames nodes announce (managed services' TLS certificates name them).
 */
export function clusterOptionsOf(url: string, role: RedisRole, extra: RedisOptions = {}): ClusterOptions {
  const parsed = new URL(url);
  const node = roleOptions(role);
  return {
    redisOptions: {
      ...node,
      username: decodeURIComponent(parsed.username) || undefined,
      password: decodeURIComponent(parsed.password) || undefined,
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
      ...extra,
    },
    enableOfflineQueue: role !== 'producer',
    enableReadyCheck: true,
    scaleReads: 'master',
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
    slotsRefreshInterval: 5000,
    // Never give up reconnecting to the cluster as a whole (null would end the client for good).
    clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    shardedSubscribers: role === 'subscriber',
    dnsLookup: (address, callback) => callback(null, address),
  };
}
