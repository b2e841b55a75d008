import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { versionIdOf } from '@infer/contracts';
import { redisKeys } from '@infer/job-store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { deletePrefix, testRedis } from '../../../../test/support/redis.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ROOT = path.resolve(import.meta.dirname, '../../../..');

/**
 * Routing policies on the in-process API with auth on (no worker): who may change them,
 * what they accept, and how submissions are routed by them: the version each job is
 * stored with, read back from its record.
 */
describe('model routing (in-process API, real Redis, auth on)', () => {
  let system: InProcessApi;
  let redis: Redis;
  let repository: string;
  const admin = { authorization: 'Bearer admin-key' };
  const user = { authorization: 'Bearer user-key' };

  beforeAll(async () => {
    // The reference model with a second version (a copy, complete: READY written last).
    repository = mkdtempSync(path.join(tmpdir(), 'infer-routing-'));
    const model = path.join(repository, 'plant-pathology');
    cpSync(path.join(ROOT, 'models', 'plant-pathology'), model, { recursive: true });
    cpSync(path.join(model, '1'), path.join(model, '2'), { recursive: true });
    writeFileSync(path.join(model, '2', 'READY'), '');
    system = await InProcessApi.start({
      env: {
        MODEL_REPOSITORY: repository,
        API_KEYS: `admin:${sha256('admin-key')},user:${sha256('user-key')}`,
        ADMIN_PRINCIPALS: 'key:admin',
        MAX_BATCH_IMAGES: '200',
        LOG_LEVEL: 'warn',
      },
    });
    redis = testRedis();
  });
  afterAll(async () => {
    await system?.close();
    if (redis) {
      await deletePrefix(redis, system.prefix);
      redis.disconnect();
    }
    rmSync(repository, { recursive: true, force: true });
  });

  const put = (body: unknown, headers: Record<string, string> = admin) =>
    fetch(system.url('/v1/models/plant-pathology/routing'), {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const refused = async (response: Response, status: number, code: string) => {
    const body = (await response.json()) as ErrorBody;
    expect({ status: response.status, code: body.error.code }, JSON.stringify(body)).toEqual({ status, code });
    return body;
  };

  /** Submit `count` green images in batches; answer how many jobs were stored with each version. */
  const routedVersions = async (count: number, fields: Record<string, string> = {}) => {
    const image = await solidImage(COLOURS.green, 'png', 32);
    const ids: string[] = [];
    for (let sent = 0; sent < count; sent += 200) {
      const form = new FormData();
      for (let i = 0; i < Math.min(200, count - sent); i++) form.append('image', new Blob([image]), 'leaf.png');
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      const response = await fetch(system.url('/v1/jobs:batch'), { method: 'POST', headers: user, body: form });
      expect(response.status).toBe(202);
      ids.push(...((await response.json()) as { jobs: { id: string }[] }).jobs.map((job) => job.id));
    }
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(redisKeys(system.prefix).job(id), 'requested_version', 'shadow_version');
    const counts: Record<string, number> = {};
    for (const [, values] of (await pipeline.exec()) ?? []) {
      const [version, shadow] = values as [string | null, string | null];
      counts[version ?? 'none'] = (counts[version ?? 'none'] ?? 0) + 1;
      if (shadow) counts[`shadow:${shadow}`] = (counts[`shadow:${shadow}`] ?? 0) + 1;
    }
    return counts;
  };

  it('answers no policy at first: the newest version is the default', async () => {
    const response = await fetch(system.url('/v1/models/plant-pathology/routing'), { headers: user });
    expect(await response.json()).toEqual({
      model: 'plant-pathology',
      routing: null,
      default_version: '2',
      shadow_stats: [],
    });
    expect(await routedVersions(10)).toEqual({ none: 10 });
  });

  it('lets only the admin scope change routing: 401 without a key, 403 forbidden with a plain one', async () => {
    const policy = { default_version: '1', canary: null, shadow: null };
    await refused(await put(policy, {}), 401, 'unauthorized');
    const forbidden = await refused(await put(policy, user), 403, 'forbidden');
    expect(forbidden.error.details).toEqual({ scope: 'admin' });
    await refused(await fetch(system.url('/v1/models:reload'), { method: 'POST', headers: user }), 403, 'forbidden');
    const reload = await fetch(system.url('/v1/models:reload'), { method: 'POST', headers: admin });
    expect(reload.status).toBe(202);
  });

  it('refuses versions the repository lacks, bad shares and unknown fields, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ default_version: '9' }, 'default_version'],
      [{ default_version: '1', canary: { version: '7', percent: 10 } }, 'canary.version'],
      [{ default_version: '1', shadow: { version: '2', percent: 150 } }, 'shadow.percent'],
      [{ default_version: '1', canary: { version: '2' } }, 'canary.percent'],
      [{ default_version: '1', extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const refusal = await refused(await put(body), 400, 'invalid_request');
      expect(refusal.error.details?.field, JSON.stringify(body)).toBe(field);
    }
    await refused(
      await fetch(system.url('/v1/models/nope/routing'), { method: 'PUT', headers: admin, body: '{}' }),
      404,
      'model_not_found',
    );
  });

  it('routes a canary share of unpinned jobs (20 % ± 5 over 1,000), never a pinned one, and marks shadowed jobs', async () => {
    const answer = await put({ default_version: '1', canary: { version: '2', percent: 20 }, shadow: null });
    expect(answer.status).toBe(200);
    const counts = await routedVersions(1000);
    const share = (counts['2'] ?? 0) / 1000;
    console.log(
      `canary 20 %: ${counts['2']} of 1000 unpinned jobs routed to version 2 (${(share * 100).toFixed(1)} %)`,
    );
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.25);
    expect(await routedVersions(50, { version: '1' })).toEqual({ '1': 50 });

    // Promote: one PUT; then every unpinned job runs version 2, half of them shadowed on version 1.
    await put({ default_version: '2', canary: null, shadow: { version: '1', percent: 50 } });
    const promoted = await routedVersions(200);
    expect(promoted['2']).toBe(200);
    expect(promoted['shadow:1']).toBeGreaterThan(60);
    expect(promoted['shadow:1']).toBeLessThan(140);
    const view = (await (await fetch(system.url('/v1/models/plant-pathology'), { headers: user })).json()) as {
      default_version: string;
      routing: unknown;
    };
    expect(view.default_version).toBe('2');
    // Roll back: one PUT.
    await put({ default_version: '1' });
    expect(await routedVersions(20)).toEqual({ '1': 20 });
  });

  it('routes a Replicate prediction by model name like an unpinned job; a version id pins it', async () => {
    await put({ default_version: '1', canary: null, shadow: null });
    const image = `data:image/png;base64,${(await solidImage(COLOURS.green, 'png', 32)).toString('base64')}`;
    const predict = async (path: string, body: Record<string, unknown>) => {
      const response = await fetch(system.url(path), {
        method: 'POST',
        headers: { ...user, 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, input: { image } }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      const { id } = (await response.json()) as { id: string };
      return redis.hget(redisKeys(system.prefix).job(id), 'requested_version');
    };
    expect(await predict('/v1/models/infer/plant-pathology/predictions', {})).toBe('1');
    expect(await predict('/v1/predictions', { version: 'plant-pathology' })).toBe('1');
    expect(await predict('/v1/predictions', { version: versionIdOf('plant-pathology', '2') })).toBe('2');
  });
});
