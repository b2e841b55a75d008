export type { RedisTarget } from '@infer/contracts';
export { isCluster, nodeOfKey, primariesOf, type RedisClient, slotOfKey, spreadTag } from './client.ts';
export { closeRedis } from './close.ts';
export { clusterOptionsOf, createRedis } from './create-redis.ts';
export { checkEvictionPolicy } from './eviction.ts';
export { waitReady } from './ready.ts';
export { type RedisRole, roleOptions } from './roles.ts';
export { onSlotOwner, SlotOwnerUnavailableError } from './slot-owner.ts';
export { describeRedisTarget, formatEndpoint, sentinelOptionsOf } from './target.ts';
