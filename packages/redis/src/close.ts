import type { RedisClient } from './client.ts';

/** Close without waiting on a dead server. */
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  } catch {
    // already closing or closed
  }
  redis.disconnect();
}
