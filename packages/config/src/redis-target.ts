import type { RedisEndpoint, RedisTarget } from '@infer/contracts';
import type { Env } from './env.ts';

export const DEFAULT_SENTINEL_PORT = 26379;
export const DEFAULT_REDIS_PORT = 6379;

/**
 * `host`, `host:port`, `[ipv6]` or `[ipv6]:port` (port default `defaultPort`) to an endpoint;
 * undefined when malformed. Brackets are required around IPv6 so its colons are not a port.
 */
export function parseRedisEndpoint(text: string, defaultPort = DEFAULT_SENTINEL_PORT): RedisEndpoint | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) return undefined;
  const host = (match[1] ?? match[2]) as string;
  if (match[1] !== undefined && !match[1].includes(':')) return undefined;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

type RedisSettings = Pick<
  Env,
  | 'REDIS_URL'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_NAME'
  | 'REDIS_SENTINEL_USERNAME'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_SENTINEL_TLS'
  | 'REDIS_CLUSTER_NODES'
>;

/**
 * Where this process's Redis connections go (see docs/configuration.md, "Redis Sentinel", and
 * docs/deploying.md, "Redis Cluster"). REDIS_CLUSTER_NODES makes every connection a Cluster
 * client; REDIS_URL then gives the nodes' credentials and TLS, as for Sentinel.
 * The sentinels' credentials are REDIS_SENTINEL_USERNAME/PASSWORD when either is set, taken
 * as a pair; otherwise REDIS_URL's, as in the common deployment where sentinels share the
 * data nodes' password. TLS to the sentinels follows REDIS_URL's scheme unless REDIS_SENTINEL_TLS says.
 */
export function redisTargetOf(env: RedisSettings): RedisTarget {
  if (env.REDIS_CLUSTER_NODES.length > 0) return { url: env.REDIS_URL, cluster: { nodes: env.REDIS_CLUSTER_NODES } };
  if (env.REDIS_SENTINELS.length === 0) return { url: env.REDIS_URL };
  const url = new URL(env.REDIS_URL);
  const ownCredentials = env.REDIS_SENTINEL_USERNAME !== undefined || env.REDIS_SENTINEL_PASSWORD !== undefined;
  const username = ownCredentials ? env.REDIS_SENTINEL_USERNAME : decodeURIComponent(url.username) || undefined;
  const password = ownCredentials ? env.REDIS_SENTINEL_PASSWORD : decodeURIComponent(url.password) || undefined;
  return {
    url: env.REDIS_URL,
    sentinel: {
      name: env.REDIS_SENTINEL_NAME,
      addresses: env.REDIS_SENTINELS,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      tls: env.REDIS_SENTINEL_TLS ?? url.protocol === 'rediss:',
    },
  };
}
