/** Every Redis key and channel of ours, next to BullMQ's under the same prefix. */
export const redisKeys = (prefix: string) => ({
  job: (id: string) => `${prefix}:job:${id}`,
  image: (id: string) => `${prefix}:job:${id}:image`,
  workers: `${prefix}:workers`,
  worker: (id: string) => `${prefix}:worker:${id}`,
  jobEvents: `${prefix}:job-events`,
});
export type RedisKeys = ReturnType<typeof redisKeys>;
