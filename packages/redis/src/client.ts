import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';

/**
 * A connection of ours: one server (plain or found through Sentinel) or a Redis Cluster.
 * Both speak the same commands; what differs is where a command runs. Cluster routes each
 * command by the slot of its keys, and refuses one whose keys span slots (CROSSSLOT): every
 * multi-key command, script and transaction of ours keeps its keys under one hash tag
 * (packages/job-store's keys.ts).
 */
export type RedisClient = Redis | Cluster;

export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

/** The hash slot of a key (CRC16 of its hash tag, or of the whole key without one), 0..16383. */
export const slotOfKey = (key: string): number => calculateSlot(key);

/**
 * The server connection that owns `key`'s slot: the client itself when it is one server;
 * for a Cluster, the primary that serves the slot now (from the client's slot map). What
 * has to run on one connection runs there: a MULTI/EXEC transaction (ioredis Cluster would
 * route its keyless MULTI and EXEC to any node) and the WAIT that must follow the write it
 * counts replicas for. Undefined while the Cluster client knows no owner (it is
 * (re)connecting or the slot is being failed over): the caller retries or gives up.
 */
export function nodeOfKey(client: RedisClient, key: string): Redis | undefined {
  if (!isCluster(client)) return client;
  const owner = client.slots[slotOfKey(key)]?.[0];
  if (!owner) return undefined;
  return client.nodes('master').find(({ options }) => `${options.host}:${options.port}` === owner);
}

/** Every primary's connection (the client itself when it is one server): for what each must answer (INFO, CONFIG). */
export const primariesOf = (client: RedisClient): Redis[] => (isCluster(client) ? client.nodes('master') : [client]);

const SLOTS = 16384;

/**
 * A hash tag that begins with `base` and whose slot lies in the `index`-th of `count` equal
 * ranges of the 16384 slots: `base` itself when it does, else the first of `base~1`,
 * `base~2`, ... that does. Keys spread this way over equal ranges land on different
 * primaries of a Cluster whose slots are split in equal ranges (as `redis-cli --cluster
 * create` splits them), where tags hashed at random may pile up on one.
 */
export function spreadTag(base: string, index: number, count: number): string {
  const from = Math.floor((index * SLOTS) / count);
  const to = Math.floor(((index + 1) * SLOTS) / count);
  for (let n = 0; ; n++) {
    const tag = n === 0 ? base : `${base}~${n}`;
    const slot = slotOfKey(tag);
    if (slot >= from && slot < to) return tag;
  }
}
