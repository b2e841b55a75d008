import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  FileStore,
  IdempotencyStore,
  JobStore,
  ModelRoutingStore,
  redisKeys,
  ShadowStatsStore,
} from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { InferenceQueues, WEBHOOK_QUEUE_NAME } from '@infer/queues';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnqueueRepair } from '../../apps/api/src/background/enqueue-repair.ts';
import { type LocalRedis, startLocalRedis } from '../../dev-support/local-redis.ts';
import { MigrationRefusedError, migrateKeyLayout } from '../../tools/migrate-key-layout/migrate.ts';
import { TSX_LOADER } from '../support/cli.ts';
import { ROOT } from '../support/processes.ts';
import { type OldDeployment, seedBacklog, seedOldDeployment, testConnection } from './old-deployment.ts';

const run = promisify(execFile);
const MAIN = path.join(ROOT, 'tools', 'migrate-key-layout', 'main.ts');

/** The migration's CLI as `pnpm migrate:key-layout` runs it (tsx), its exit code and output. */
async function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, REDIS_CLUSTER_NODES: '', REDIS_SENTINELS: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A key's type and contents, in an order of its own (a hash table's DUMP follows its buckets, which rehashing moves). */
async function contentsOf(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  const read: Record<string, () => Promise<unknown>> = {
    string: async () => (await redis.getBuffer(key))?.toString('hex'),
    hash: async () => Object.entries(await redis.hgetall(key)).sort(),
    list: () => redis.lrange(key, 0, -1),
    set: async () => (await redis.smembers(key)).sort(),
    zset: () => redis.zrange(key, 0, '-1', 'WITHSCORES'),
    stream: async () => [await redis.xrange(key, '-', '+'), await redis.xinfo('GROUPS', key)],
  };
  return `${type} ${JSON.stringify(await (read[type] ?? (async () => null))())}`;
}

/** Every key under the prefix with its contents (no TTL): what "changes nothing" compares. */
async function snapshot(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...page);
  } while (cursor !== '0');
  keys.sort();
  const contents = await Promise.all(keys.map((key) => contentsOf(redis, key)));
  return new Map(keys.map((key, i) => [key, contents[i] as string]));
}

const INTERRUPTED = 'interrupted (injected)';

/** The connection, whose `batch`-th pipeline or MULTI (counted together) throws instead of being sent. */
function failingAtBatch(redis: Redis, batch: number): Redis {
  let sent = 0;
  return new Proxy(redis, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== 'pipeline' && property !== 'multi')
        return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        const created = value.apply(target, args);
        const exec = created.exec.bind(created);
        created.exec = () => {
          sent += 1;
          return sent === batch ? Promise.reject(new Error(INTERRUPTED)) : exec();
        };
        return created;
      };
    },
  });
}

const oldKeysOf = async (redis: Redis, prefix: string) =>
  [...(await snapshot(redis, prefix)).keys()].filter((key) => !key.includes('{'));

describe('migrate:key-layout: a deployment of the previous release on a private redis-server', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  let dir: string;
  let server: LocalRedis;
  let redis: Redis;
  let models: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'migrate-key-layout-'));
    server = await startLocalRedis({ dir, appendOnly: false });
    redis = testConnection(server.url);
    // MODEL_REPOSITORY for the CLI: model m (only its model.json is looked at).
    models = path.join(dir, 'models');
    mkdirSync(path.join(models, 'm'), { recursive: true });
    writeFileSync(path.join(models, 'm', 'model.json'), '{}');
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('migrated once, then again', () => {
    const prefix = 'old';
    let old: OldDeployment;
    let store: JobStore;
    // Made when the new API would be, after the migration: a BullMQ Queue writes its meta key when made.
    let queues: InferenceQueues | undefined;

    beforeAll(async () => {
      old = await seedOldDeployment(redis, server.url, prefix);
      store = new JobStore(redis, prefix, 3600);
    });
    afterAll(async () => {
      await queues?.close();
    });

    it('--dry-run (the CLI) counts what would move, per kind, and changes nothing', async () => {
      const before = await snapshot(redis, prefix);
      const dry = await cli(['--dry-run'], { REDIS_URL: server.url, QUEUE_PREFIX: prefix, MODEL_REPOSITORY: models });
      expect(dry.stderr).not.toMatch(/failed|refused/);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run on .*prefix "old": nothing changed/);
      expect(dry.stdout).toMatch(/job records +6\n/);
      expect(dry.stdout).toMatch(/jobs waiting in old inference queues -> enqueue intents +3 +\(1 of them handed back/);
      expect(dry.stdout).toMatch(/pending webhook deliveries -> \{webhooks\} +2\n/);
      expect(dry.stdout).toMatch(/completed\/failed history of the old webhooks queue +1 /);
      expect(await snapshot(redis, prefix)).toEqual(before);

      // A model MODEL_REPOSITORY no longer holds: its jobs wait for an API that serves it.
      const elsewhere = await migrateKeyLayout(redis, { prefix, resultTtlSeconds: 3600, dryRun: true, models: ['n'] });
      expect(elsewhere.warnings).toEqual([
        expect.stringMatching(/^3 queued job\(s\) of model "m", which MODEL_REPOSITORY/),
      ]);
      expect(await snapshot(redis, prefix)).toEqual(before);
    });

    it('moves every kind and says how many', async () => {
      const report = await migrateKeyLayout(redis, { prefix, resultTtlSeconds: 3600, models: ['m'] });
      expect(Object.fromEntries(report.moved.map(({ kind, count }) => [kind, count]))).toEqual({
        'job records': 6,
        'job payloads': 4,
        'Idempotency-Key records': 1,
        files: 1,
        'file contents': 1,
        'model routing policies': 1,
        'shadow statistics': 3,
        'enqueue intents': 1,
        'Cancel-After deadlines': 1,
        'owner index entries': 6,
        'webhook outbox events': 1,
        'jobs waiting in old inference queues -> enqueue intents': 3,
        'completed/failed history of old inference queues': 0,
        'pending webhook deliveries -> {webhooks}': 2,
        'completed/failed history of the old webhooks queue': 1,
        'old worker registry keys': 3,
      });
      expect(report.unchanged.map(({ kind, count }) => [kind, count])).toEqual([
        ['rate-limit counters', 1],
        ['result cache entries', 1],
        ['webhook dead letters (stream)', 0],
      ]);
      expect(report.leftovers).toEqual({ count: 0, examples: [] });
      expect(report.blockers).toEqual([]);
      expect(report.warnings).toEqual([]);
    });

    it('the new job store finds every job, with its payload and TTL, and lists them per owner', async () => {
      for (const job of [old.prioritized, old.delayed, old.finished, old.intentOnly, old.stalled, old.canceled]) {
        expect((await store.get(job.id))?.id).toBe(job.id);
      }
      expect((await store.get(old.finished.id))?.result).toEqual({ predictions: [{ label: 'healthy', score: 0.9 }] });
      expect(await redis.pttl(store.keys.job(old.finished.id))).toBeGreaterThan(3_000_000);
      expect(await store.getImage(old.prioritized.id)).toEqual(old.imageBytes);
      // The job a dead worker left running is queued again (handed back), to be enqueued.
      expect((await store.get(old.stalled.id))?.status).toBe('queued');

      const alice = await store.list('key:alice', { limit: 10 });
      expect(alice.jobs.map(({ view }) => view.id)).toEqual([old.prioritized.id, old.finished.id]);
      const anonymous = await store.list(undefined, { limit: 10 });
      const newestFirst = [old.canceled, old.stalled, old.intentOnly, old.delayed].map(({ id }) => id);
      expect(anonymous.jobs.map(({ view }) => view.id)).toEqual(newestFirst);
      // The indexes keep their TTL.
      expect(await redis.pttl(store.keys.shardOf(old.finished.id).jobIndex('key:alice'))).toBeGreaterThan(3_000_000);
    });

    it('the new API’s enqueue repair enqueues every queued job into the new queue, with its priority', async () => {
      const queued = [old.prioritized, old.delayed, old.intentOnly, old.stalled].map(({ id }) => id).sort();
      const due = await store.dueEnqueueIntents(Date.now(), 100);
      expect(due.map(({ id }) => id).sort()).toEqual(queued);

      const inference = new InferenceQueues(redis, prefix, ['m']);
      queues = inference;
      const repair = new EnqueueRepair(store, inference, logger, { graceMs: 2000, intervalMs: 1000, attempts: 3 });
      expect(await repair.sweep(Date.now() + 5000)).toBe(4);
      const bull = (id: string) => inference.get('m', id).getJob(id);
      expect((await bull(old.prioritized.id))?.opts.priority).toBe(101 - 7);
      expect((await bull(old.intentOnly.id))?.opts.priority).toBe(101 - 50);
      expect(await (await bull(old.delayed.id))?.getState()).toBe('prioritized');
      expect((await bull(old.stalled.id))?.data).toMatchObject({ jobId: old.stalled.id, model: 'm' });
      expect(await bull(old.canceled.id)).toBeUndefined();
      expect(await inference.depth('m')).toBe(4);
    });

    it('deadlines, outbox, Idempotency-Key, file, routing and shadow statistics are where the new code looks', async () => {
      const shardOf = (id: string) => store.keys.shardOf(id);
      expect(Number(await redis.zscore(shardOf(old.prioritized.id).deadlines, old.prioritized.id))).toBe(
        old.cancelAt.getTime(),
      );

      // The outbox entry still to relay is in its job's shard; the one already relayed is not anywhere.
      const events = await Promise.all(
        store.keys.shards.map(async ({ webhookOutbox }) => ({
          webhookOutbox,
          entries: (await redis.xrange(webhookOutbox, '-', '+')) as [string, string[]][],
        })),
      );
      const found = events.flatMap(({ webhookOutbox, entries }) =>
        entries.map(([, flat]) => ({ webhookOutbox, eventId: flat[flat.indexOf('event_id') + 1] })),
      );
      expect(found).toEqual([{ webhookOutbox: shardOf(old.finished.id).webhookOutbox, eventId: old.outboxEventId }]);

      const idempotency = new IdempotencyStore(redis, prefix);
      const recordKey = idempotency.recordKey(old.idempotencyKey, undefined);
      expect(await idempotency.read(recordKey)).toBe(old.idempotencyAnswer);
      expect(await redis.ttl(recordKey)).toBeGreaterThan(3000);

      const files = new FileStore(redis, redisKeys(prefix), 3600);
      expect((await files.content(old.fileId, undefined))?.bytes).toEqual(old.fileBytes);

      expect(await new ModelRoutingStore(redis, prefix).get('m')).toEqual(old.routing);
      const shadow = await new ShadowStatsStore(redis, prefix).read('m');
      expect(shadow).toMatchObject([{ candidate: '2', compared: 3, top1_agreement: 2 / 3 }]);
    });

    it('the pending webhook deliveries are in {webhooks}, with what is left of their attempts and delay', async () => {
      const webhooks = new Queue(WEBHOOK_QUEUE_NAME, { connection: redis, prefix });
      try {
        const pending = await webhooks.getJob(old.deliveries.pending);
        expect(pending?.data).toMatchObject({ deliveryId: old.deliveries.pending, jobId: old.finished.id });
        expect(pending?.name).toBe('deliver');
        expect(pending?.opts.attempts).toBe(8);
        expect(await pending?.getState()).toBe('waiting');

        // Failed once of three: two attempts left, due when its retry was.
        const retrying = await webhooks.getJob(old.deliveries.retrying);
        expect(retrying?.opts).toMatchObject({ attempts: 2, backoff: { type: 'fixed', delay: 60_000 } });
        expect(await retrying?.getState()).toBe('delayed');
        expect(retrying?.opts.delay).toBeGreaterThan(30_000);
        expect(retrying?.opts.delay).toBeLessThanOrEqual(60_000);

        expect(await webhooks.getJob(old.deliveries.done)).toBeUndefined();
      } finally {
        await webhooks.close();
      }
    });

    it('leaves no old key but those named alike in the new layout', async () => {
      expect(await oldKeysOf(redis, prefix)).toEqual([
        `${prefix}:ratelimit:key:alice`,
        `${prefix}:result-cache:m@1:${'a'.repeat(64)}`,
      ]);
    });

    it('a second run finds nothing to move and changes nothing (the CLI too)', async () => {
      const before = await snapshot(redis, prefix);
      const again = await migrateKeyLayout(redis, { prefix, resultTtlSeconds: 3600, models: ['m'] });
      expect(again.moved.filter(({ count }) => count > 0)).toEqual([]);
      expect(await snapshot(redis, prefix)).toEqual(before);

      const viaCli = await cli([], { REDIS_URL: server.url, QUEUE_PREFIX: prefix, MODEL_REPOSITORY: models });
      expect(viaCli.code).toBe(0);
      expect(viaCli.stdout).toMatch(/^Moved on .* in \d+\.\d s:\n {2}job records +0\n/);
      expect(await snapshot(redis, prefix)).toEqual(before);
    });
  });

  it('cut short part way through each step, run after run, it finishes: every key moved once, nothing lost or doubled', async () => {
    const prefix = 'crash';
    const count = 1500;
    const { queued, finished } = await seedBacklog(redis, prefix, count);
    // Run k dies as it sends its k-th batch (pipeline or MULTI) of reads or writes, as a process
    // killed there would: what it sent before stays done, nothing after is sent. The next run starts over.
    const interruptedIn = new Set<string>();
    for (let k = 1; ; k++) {
      let step = '';
      const outcome = await migrateKeyLayout(failingAtBatch(redis, k), {
        prefix,
        resultTtlSeconds: 3600,
        onStep: (name) => {
          step = name;
        },
      }).catch((error: Error) => error);
      if (!(outcome instanceof Error)) break;
      expect(outcome.message).toBe(INTERRUPTED);
      interruptedIn.add(step);
    }
    // Each run gets one batch further than the one before: every step that works in batches was cut short once.
    expect([...interruptedIn]).toEqual([
      'job records, job payloads',
      'enqueue intents, deadlines',
      'owner indexes',
      'webhook outbox',
      'old inference queues',
    ]);
    const { keys } = new JobStore(redis, prefix, 3600);
    const sum = async (read: (shard: (typeof keys.shards)[number]) => Promise<number>) =>
      (await Promise.all(keys.shards.map(read))).reduce((a, b) => a + b, 0);
    expect(await oldKeysOf(redis, prefix)).toEqual([]);
    const records = await Promise.all([...queued, ...finished].map((id) => redis.exists(keys.job(id))));
    expect(records.filter((found) => found !== 1)).toEqual([]);
    expect(await redis.exists(...queued.map((id) => keys.image(id)))).toBe(count);
    expect(await sum((shard) => redis.zcard(shard.deadlines))).toBe(count);
    expect(await sum((shard) => redis.zcard(shard.jobIndex('-')))).toBe(2 * count);
    expect(await sum((shard) => redis.zcard(shard.enqueueIntents))).toBe(count);
    // Each outbox event once, in its job's shard.
    const events = await Promise.all(
      keys.shards.map(async ({ webhookOutbox }) =>
        ((await redis.xrange(webhookOutbox, '-', '+')) as [string, string[]][]).map(([, flat]) => ({
          webhookOutbox,
          jobId: flat[flat.indexOf('job_id') + 1] as string,
        })),
      ),
    );
    const all = events.flat();
    expect(all).toHaveLength(count);
    expect(new Set(all.map(({ jobId }) => jobId)).size).toBe(count);
    expect(all.filter(({ webhookOutbox, jobId }) => webhookOutbox !== keys.shardOf(jobId).webhookOutbox)).toEqual([]);
  });

  describe('refusals', () => {
    it('refuses while a job is still active (workers not drained), naming how many; nothing changes', async () => {
      const prefix = 'busy';
      const queue = new Queue('inference.m', { connection: redis, prefix });
      await queue.add('infer', { jobId: 'a', model: 'm', enqueuedAt: 1 }, { jobId: 'a' });
      await queue.add('infer', { jobId: 'b', model: 'm', enqueuedAt: 1 }, { jobId: 'b' });
      await queue.close();
      await redis.hset(`${prefix}:job:a`, { id: 'a', status: 'running', model: 'm' });
      // A worker of the old release (its connection named as packages/redis names it) holds job a.
      const connection = testConnection(server.url, 'infer-worker');
      const worker = new Worker('inference.m', null, { connection, prefix, lockDuration: 60_000 });
      expect((await worker.getNextJob('token-1'))?.id).toBe('a');
      const before = await snapshot(redis, prefix);

      const dry = await migrateKeyLayout(redis, { prefix, resultTtlSeconds: 3600, dryRun: true });
      expect(dry.blockers).toHaveLength(2);
      expect(dry.blockers[0]).toMatch(/connection\(s\) of the deployment's processes are open \(infer-worker from/);

      await worker.close();
      connection.disconnect();
      const refused = await migrateKeyLayout(redis, { prefix, resultTtlSeconds: 3600 }).catch((error) => error);
      expect(refused).toBeInstanceOf(MigrationRefusedError);
      expect((refused as MigrationRefusedError).reasons).toEqual([
        expect.stringMatching(/^1 job\(s\) still active in the old queue "inference.m": the workers have not drained/),
      ]);
      expect(await snapshot(redis, prefix)).toEqual(before);
    });

    it('refuses a Redis Cluster target (the CLI), saying why', async () => {
      const result = await cli([], { REDIS_CLUSTER_NODES: '127.0.0.1:1', QUEUE_PREFIX: 'x' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/old key layout could not exist on a Redis Cluster/);
    });
  });
});
