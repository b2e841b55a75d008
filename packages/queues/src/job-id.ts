import { randomBytes } from 'node:crypto';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Job ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness.
 * The embedded creation time lets GET tell an expired job (older than its
 * retention) from one that never existed without keeping anything in Redis.
 */
export function newJobId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f); // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `id` has the shape of an id made by newJobId (anything else names no job, nor any other key). */
export const isJobId = (id: string): boolean => UUID_V7.test(id);

/** Creation time (epoch ms) of an id made by newJobId, or undefined for anything else. */
export function jobIdTime(id: string): number | undefined {
  if (!isJobId(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
