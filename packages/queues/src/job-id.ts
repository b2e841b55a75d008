import { randomUUID } from 'node:crypto';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Job ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, the last
 * 4 bits of which may be chosen (`storeShard`).
 * The embedded creation time lets GET tell an expired job (older than its
 * retention) from one that never existed without keeping anything in Redis.
 */
export function newJobId(now = Date.now(), storeShard?: number): string {
  // randomUUID (v4) draws from a cached pool of entropy, where randomBytes(16) is a call into
  // OpenSSL per id. Its 74 random bits keep their places: v7 has the same variant bits, and
  // its version nibble and 48-bit time replace v4's version nibble and first 48 random bits.
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  const id = `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
  // The last hex digit names the job's job-store shard (packages/job-store keys.ts storeShardOf):
  // random unless asked (the jobs of one request, and its Idempotency-Key, share a shard).
  return storeShard === undefined ? id : `${id.slice(0, -1)}${(storeShard & 0xf).toString(16)}`;
}

/** Whether `id` has the shape of an id made by newJobId (anything else names no job, nor any other key). */
export const isJobId = (id: string): boolean => UUID_V7.test(id);

/** Creation time (epoch ms) of an id made by newJobId, or undefined for anything else. */
export function jobIdTime(id: string): number | undefined {
  if (!isJobId(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
