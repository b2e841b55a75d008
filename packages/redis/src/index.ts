export type { RedisTarget } from '@infer/contracts';
export { closeRedis } from './close.ts';
export { createRedis } from './create-redis.ts';
export { checkEvictionPolicy } from './eviction.ts';
export { waitReady } from './ready.ts';
export { type RedisRole, roleOptions } from './roles.ts';
export { describeRedisTarget, formatEndpoint, sentinelOptionsOf } from './target.ts';
