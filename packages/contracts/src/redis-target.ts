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

/** The Redis Cluster a connection joins: any of its nodes, from which the client learns the rest. */
export interface RedisClusterSeeds {
  /** Nodes to ask for the cluster's layout (CLUSTER SLOTS), in order; at least one. */
  nodes: RedisEndpoint[];
}

/**
 * Where a process's Redis connections go: plain data for packages/config to produce and
 * packages/redis to connect with. Without `sentinel` or `cluster`, `url` is the server.
 * With either, `url` gives only the data nodes' credentials, database number (0 on a
 * Cluster) and TLS (`rediss:`); its host and port are not used, the primary being whichever
 * node the sentinels name, or, on a Cluster, the one serving a key's slot.
 */
export interface RedisTarget {
  url: string;
  sentinel?: RedisSentinelGroup;
  cluster?: RedisClusterSeeds;
}
