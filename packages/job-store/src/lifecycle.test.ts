import { JOB_STATUSES, TERMINAL_STATUSES } from '@infer/contracts';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { JobStore } from './job-store.ts';
import { DEADLINE_ERROR, LIFECYCLE, type LifecycleVerb } from './lifecycle.ts';

/** The Lua enforces exactly the table: every verb from every status, against real Redis. */
describe('lifecycle (LIFECYCLE in TypeScript, the same rules in scripts/transition.lua)', () => {
  const prefix = uniquePrefix('lifecycle');
  let redis: Redis;
  let store: JobStore;
  beforeAll(() => {
    redis = testRedis();
    store = new JobStore(redis, prefix, 600);
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  for (const verb of Object.keys(LIFECYCLE) as LifecycleVerb[]) {
    it(`${verb}: applies from ${LIFECYCLE[verb].from.join(' or ')} only, entering ${LIFECYCLE[verb].to}`, async () => {
      for (const status of JOB_STATUSES) {
        const id = `${verb}-${status}`;
        await store.create({ id, model: 'm', createdAt: new Date() }, Uint8Array.from([1, 2, 3]));
        await redis.hset(store.keys.job(id), 'status', status);
        const outcome = await store.apply(verb, id);
        const allowed = (LIFECYCLE[verb].from as readonly string[]).includes(status);
        expect({ status, applied: outcome.applied, previous: outcome.previous }).toEqual({
          status,
          applied: allowed,
          previous: status,
        });
        const after = await store.get(id);
        expect(after?.status).toBe(allowed ? LIFECYCLE[verb].to : status);
        // A terminal status drops the payload and starts the record's TTL; others keep both as they were.
        const terminal = allowed && TERMINAL_STATUSES.includes(LIFECYCLE[verb].to);
        expect(await redis.exists(store.keys.image(id))).toBe(terminal ? 0 : 1);
        if (allowed && verb === 'expire') expect(after?.error).toEqual(DEADLINE_ERROR);
      }
    });
  }
});
