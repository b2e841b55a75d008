import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { redisFromEnvOrLocal } from '../../dev-support/local-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * One Redis for the whole run: REDIS_URL if given, else a private redis-server
 * on a free port with a temp dir. Tests never touch a Redis on 6379 they did
 * not ask for; each test uses its own key prefix and deletes it afterwards.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'infer-test-redis-'));
  const redis = await redisFromEnvOrLocal({ dir, appendOnly: false });
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
