import { Cluster, type Redis } from 'ioredis';

/**
 * A connection of ours: one server (plain or found through Sentinel) or a Redis Cluster.
 * Both speak the same commands; what differs is where a command runs. Cluster routes each
 * command by the slot of its keys, and refuses one whose keys span slots (CROSSSLOT): every
 * multi-key command, script and transaction of ours keeps its keys under one hash tag
 * (packages/job-store's keys.ts).
 */
export type RedisClient = Redis | Cluster;

const SLOTS = 16384;

export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

/**
 * The hash slot of a key as Redis computes it (CLUSTER KEYSLOT): CRC16-XMODEM of the key, or of
 * its hash tag (the text inside the first `{...}` when not empty), modulo 16384. Not ioredis's
 * cluster-key-slot 1.1.1, which disagrees with Redis when the first braces are empty and another
 * `}` follows (`{}{x}`: 11068 there, 3257 in Redis).
 */
export function slotOfKey(key: string): number {
  let bytes = Buffer.from(key);
  const open = bytes.indexOf('{');
  const close = open === -1 ? -1 : bytes.indexOf('}', open + 1);
  if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % SLOTS;
}

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

/**
 * A hash tag that begins with `base` and whose slot lies near the middle of the `index`-th of
 * `count` equal ranges of the 16384 slots (within an eighth of the range of its centre):
 * `base` itself when it does, else the first of `base~1`, `base~2`, ... that does. Keys
 * spread this way land on different primaries of a Cluster whose slots are split in equal
 * ranges (as `redis-cli --cluster create` splits them), where tags hashed at random may pile up
 * on one; near the centre, a range that straddles two primaries' boundary still goes to the
 * primary holding most of it.
 */
export function spreadTag(base: string, index: number, count: number): string {
  const width = SLOTS / count;
  const centre = (index + 0.5) * width;
  const from = Math.floor(centre - width / 8);
  const to = Math.ceil(centre + width / 8);
  for (let n = 0; ; n++) {
    const tag = n === 0 ? base : `${base}~${n}`;
    const slot = slotOfKey(tag);
    if (slot >= from && slot < to) return tag;
  }
}
