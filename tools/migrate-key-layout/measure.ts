/**
 * How long the migration takes: a private redis-server holding an old-layout deployment of
 * `--jobs N` queued jobs (record, 2 KB payload, owner-index entry, deadline, and a BullMQ job
 * in the old queue `inference.m`) and as many finished ones (record with TTL, owner-index
 * entry, outbox event), timed through a dry run and a run.
 *
 *   node --import tsx tools/migrate-key-layout/measure.ts [--jobs 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { inferenceJobOptions, newJobId } from '@infer/queues';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startLocalRedis } from '../../dev-support/local-redis.ts';
import { jobRecordOf, type NewJob } from '../../packages/job-store/src/record/job-record.ts';
import { migrateKeyLayout } from './migrate.ts';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '10000' } } });
const count = Number(values.jobs);
const prefix = 'infer';
const dir = mkdtempSync(path.join(tmpdir(), 'measure-migration-'));
const server = await startLocalRedis({ dir, appendOnly: false });
const redis = new Redis(server.url, { maxRetriesPerRequest: null, connectionName: 'measure' });
try {
  const payload = Buffer.alloc(2048, 7);
  const now = Date.now();
  const queue = new Queue('inference.m', { connection: redis, prefix });
  for (let start = 0; start < count; start += 1000) {
    const tx = redis.pipeline();
    const queued: NewJob[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const job: NewJob = { id: newJobId(now - i), model: 'm', createdAt: new Date(now - i), owner: 'key:a' };
      const done: NewJob = { id: newJobId(now - i), model: 'm', createdAt: new Date(now - i), owner: 'key:a' };
      queued.push(job);
      tx.hset(`${prefix}:job:${job.id}`, jobRecordOf({ ...job, cancelAt: new Date(now + 3_600_000) }));
      tx.set(`${prefix}:job:${job.id}:image`, payload);
      tx.zadd(`${prefix}:deadlines`, now + 3_600_000, job.id);
      tx.hset(`${prefix}:job:${done.id}`, { ...jobRecordOf(done), status: 'succeeded' });
      tx.expire(`${prefix}:job:${done.id}`, 86_400);
      tx.zadd(`${prefix}:jobs-of:key:a`, now - i, job.id, now - i, done.id);
      tx.xadd(`${prefix}:webhook-outbox`, '*', 'event_id', `msg_${i}`, 'job_id', done.id, 'snapshot', '{}');
    }
    await tx.exec();
    await queue.addBulk(
      queued.map((job) => ({
        name: 'infer',
        data: { jobId: job.id, model: 'm', enqueuedAt: job.createdAt.getTime() },
        opts: inferenceJobOptions({ jobId: job.id, attempts: 3, priority: 0 }),
      })),
    );
  }
  await queue.close();
  const keys = await redis.dbsize();
  for (const dryRun of [true, false]) {
    // Each step's time, from one step's start to the next's.
    const steps: [string, number][] = [];
    const onStep = (step: string) => steps.push([step, performance.now()]);
    const report = await migrateKeyLayout(redis, { prefix, resultTtlSeconds: 86_400, dryRun, onStep });
    const ended = steps[0] ? steps[0][1] + report.durationMs : 0;
    const timings = steps.map(
      ([step, at], i) => `${step} ${(((steps[i + 1]?.[1] ?? ended) - at) / 1000).toFixed(2)} s`,
    );
    const moved = report.moved.flatMap(({ kind, count }) => (count > 0 ? [`${kind}: ${count}`] : [])).join(', ');
    process.stdout.write(
      `${dryRun ? 'dry run' : 'run'} over ${keys} keys (${count} queued + ${count} finished jobs): ` +
        `${(report.durationMs / 1000).toFixed(2)} s\n  ${moved}\n  ${timings.join(', ')}\n`,
    );
  }
} finally {
  redis.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
