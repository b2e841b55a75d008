/** A Redis or Sentinel address (`host` without brackets, also for IPv6). */
export interface RedisEndpoint {
  host: string;
  port: number;
}

/** The Sentinel group a connection asks for the current primary. */
export interface RedisSentinelGroup {
  /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
  name: string;
  /** Sentinels to ask, in order; at least one. */
  addresses: RedisEndpoint[];
  /** ACL user and password of the sentinels themselves (not of the data nodes). */
  username?: string;
  password?: string;
  /** TLS to the sentinels. */
  tls: boolean;
}

/**
 * Where a process's Redis connections go: plain data for packages/config to produce and
 * packages/redis to connect with. Without `sentinel`, `url` is the server. With it, `url`
 * gives only the data nodes' credentials, database number and TLS (`rediss:`); its host
 * and port are not used, the primary being whichever node the sentinels name.
 */
export interface RedisTarget {
  url: string;
  sentinel?: RedisSentinelGroup;
}
