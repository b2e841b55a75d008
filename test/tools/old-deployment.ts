import { createHash } from 'node:crypto';
import { inferenceJobOptions, newJobId, WEBHOOK_JOB_NAME } from '@infer/queues';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { jobRecordOf, type NewJob } from '../../packages/job-store/src/record/job-record.ts';

/**
 * A deployment of the previous release, written by hand under its key names (its
 * packages/job-store/src/keys.ts, given here as literals, not taken from the migration) and
 * field formats: records as jobRecordOf writes them, BullMQ jobs in the old-named queues
 * `inference.m` and `webhooks` made by BullMQ itself.
 */
export interface OldDeployment {
  /** Queued, priority 7, owner key:alice, a Cancel-After deadline, a webhook; prioritized in `inference.m`. */
  prioritized: NewJob;
  /** Queued, waiting out a retry's backoff: delayed in `inference.m`. */
  delayed: NewJob;
  /** Succeeded, its record expiring (RESULT_TTL_SECONDS), owner key:alice; its job.succeeded event in the outbox. */
  finished: NewJob;
  /** Queued with an enqueue intent and no BullMQ job (the API stopped in between). */
  intentOnly: NewJob;
  /** Record `running`, BullMQ job waiting: put back in line by a stalled check after its worker died. */
  stalled: NewJob;
  /** Canceled, its BullMQ job left waiting (a cancel that lost the race to remove it). */
  canceled: NewJob;
  imageBytes: Buffer;
  cancelAt: Date;
  idempotencyKey: string;
  idempotencyAnswer: string;
  fileId: string;
  fileBytes: Buffer;
  routing: { default_version: string; canary: null; shadow: { version: string; percent: number } };
  /** Webhook deliveries: waiting; failed once and delayed for its retry; completed (its outbox entry still there). */
  deliveries: { pending: string; retrying: string; done: string };
  /** The outbox entry still to relay (the finished job's event). */
  outboxEventId: string;
}

/** A connection named so that the migration's check of running processes does not take it for one. */
export const testConnection = (url: string, name = 'migration-test'): Redis =>
  new Redis(url, { connectionName: name, maxRetriesPerRequest: null });

const deliveryData = (deliveryId: string, jobId: string) => ({
  deliveryId,
  eventId: deliveryId,
  jobId,
  type: 'job.succeeded',
  occurredAt: Date.now(),
  url: 'https://hooks.example.com/in',
  body: JSON.stringify({ type: 'job.succeeded', id: jobId }),
});

export async function seedOldDeployment(redis: Redis, url: string, prefix: string): Promise<OldDeployment> {
  const p = `${prefix}:`;
  const now = Date.now();
  const at = (agoMs: number) => new Date(now - agoMs);
  const cancelAt = new Date(now + 3_600_000);
  const webhook = { url: 'https://hooks.example.com/in', events: ['job.succeeded'] };
  const prioritized: NewJob = {
    id: newJobId(now - 5000),
    model: 'm',
    version: '1',
    requestId: 'req-a',
    createdAt: at(5000),
    priority: 7,
    owner: 'key:alice',
    cancelAt,
    webhook,
  };
  const delayed: NewJob = { id: newJobId(now - 4000), model: 'm', createdAt: at(4000) };
  const finished: NewJob = {
    id: newJobId(now - 10_000),
    model: 'm',
    createdAt: at(10_000),
    owner: 'key:alice',
    webhook,
  };
  const intentOnly: NewJob = { id: newJobId(now - 3000), model: 'm', createdAt: at(3000), priority: 50 };
  const stalled: NewJob = { id: newJobId(now - 2000), model: 'm', createdAt: at(2000) };
  const canceled: NewJob = { id: newJobId(now - 1000), model: 'm', createdAt: at(1000) };
  const imageBytes = Buffer.from([1, 2, 3, 4]);

  // Records and payloads (payloads of unfinished jobs only: a terminal transition deletes them).
  const tx = redis.multi();
  for (const job of [prioritized, delayed, intentOnly, stalled, canceled, finished]) {
    tx.hset(`${p}job:${job.id}`, jobRecordOf(job));
  }
  for (const job of [prioritized, delayed, intentOnly, stalled]) tx.set(`${p}job:${job.id}:image`, imageBytes);
  tx.hset(`${p}job:${stalled.id}`, { status: 'running', started_at: at(1500).toISOString(), attempts: '1' });
  tx.hset(`${p}job:${canceled.id}`, { status: 'canceled', completed_at: at(500).toISOString() });
  tx.hset(`${p}job:${finished.id}`, {
    status: 'succeeded',
    started_at: at(9000).toISOString(),
    completed_at: at(8000).toISOString(),
    model_version: '1',
    result: JSON.stringify({ predictions: [{ label: 'healthy', score: 0.9 }] }),
    attempts: '1',
  });
  tx.expire(`${p}job:${finished.id}`, 3600);
  tx.expire(`${p}job:${canceled.id}`, 3600);
  // One index per owner ('-' without auth), an intent, a deadline.
  tx.zadd(`${p}jobs-of:key:alice`, prioritized.createdAt.getTime(), prioritized.id);
  tx.zadd(`${p}jobs-of:key:alice`, finished.createdAt.getTime(), finished.id);
  tx.expire(`${p}jobs-of:key:alice`, 3600);
  for (const job of [delayed, intentOnly, stalled, canceled]) tx.zadd(`${p}jobs-of:-`, job.createdAt.getTime(), job.id);
  tx.expire(`${p}jobs-of:-`, 3600);
  tx.zadd(`${p}enqueue-intents`, intentOnly.createdAt.getTime(), intentOnly.id);
  tx.zadd(`${p}deadlines`, cancelAt.getTime(), prioritized.id);
  await tx.exec();

  // The old queue of model m, by BullMQ, with the API's add options.
  const inference = new Queue('inference.m', { connection: redis, prefix });
  const enqueue = (job: NewJob, delay = 0) =>
    inference.add(
      'infer',
      { jobId: job.id, model: job.model, enqueuedAt: job.createdAt.getTime() },
      { ...inferenceJobOptions({ jobId: job.id, attempts: 3, priority: job.priority ?? 0 }), delay },
    );
  await enqueue(prioritized);
  await enqueue(delayed, 60_000);
  await enqueue(stalled);
  await enqueue(canceled);
  await inference.close();

  // The old webhooks queue: one delivery completed, one failed once (delayed for its retry), one waiting.
  const deliveries = { pending: 'msg_pending', retrying: 'msg_retrying', done: 'msg_done' };
  const webhooks = new Queue('webhooks', { connection: redis, prefix });
  const add = (id: string, attempts: number) =>
    webhooks.add(WEBHOOK_JOB_NAME, deliveryData(id, finished.id), {
      jobId: id,
      attempts,
      backoff: { type: 'fixed', delay: 60_000 },
      removeOnComplete: { age: 7 * 86_400 },
    });
  await add(deliveries.done, 8);
  await add(deliveries.retrying, 3);
  const workerConnection = testConnection(url);
  const settled = new Set<string>();
  const worker = new Worker(
    'webhooks',
    async (job) => {
      if (job.id === deliveries.retrying) throw new Error('HTTP 503');
    },
    { connection: workerConnection, prefix },
  );
  worker.on('completed', (job) => settled.add(job.id as string));
  worker.on('failed', (job) => settled.add(job?.id as string));
  while (settled.size < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  await worker.close();
  workerConnection.disconnect();
  await add(deliveries.pending, 8);
  await webhooks.close();

  // The outbox: the finished job's event still to relay, and one the old relay had turned into a delivery.
  const outboxEventId = 'msg_succeeded';
  // The record at the event without its webhook_* fields, as scripts/includes/webhook-outbox.lua takes it.
  const fields = Object.entries({ ...jobRecordOf(finished), status: 'succeeded' });
  const snapshot = JSON.stringify(Object.fromEntries(fields.filter(([name]) => !name.startsWith('webhook_'))));
  const event = (id: string) => [
    'event_id',
    id,
    'delivery_id',
    id,
    'type',
    'job.succeeded',
    'job_id',
    finished.id,
    'timestamp',
    at(8000).toISOString(),
    'url',
    webhook.url,
    'snapshot',
    snapshot,
  ];
  await redis.xadd(`${p}webhook-outbox`, '*', ...event(deliveries.done));
  await redis.xadd(`${p}webhook-outbox`, '*', ...event(outboxEventId));
  await redis.xgroup('CREATE', `${p}webhook-outbox`, 'relay', '0');
  // The relay read both; it stopped before acknowledging the first.
  await redis.xreadgroup('GROUP', 'relay', 'old-dispatcher', 'COUNT', 1, 'STREAMS', `${p}webhook-outbox`, '>');

  // Idempotency-Key answer (no auth: scope '-'), a file, a routing policy, shadow statistics.
  const idempotencyKey = 'order-42';
  const idempotencyAnswer = JSON.stringify({ status: 202, ids: [prioritized.id] });
  const keyHash = createHash('sha256').update(idempotencyKey).digest('hex');
  const fileId = 'f0123456789abcdefghij';
  const fileBytes = Buffer.from('an uploaded file');
  const routing = { default_version: '1', canary: null, shadow: { version: '2', percent: 10 } };
  const minute = Math.floor(now / 60_000);
  const file = {
    id: fileId,
    name: 'leaf.png',
    content_type: 'image/png',
    size: fileBytes.length,
    checksums: { sha256: createHash('sha256').update(fileBytes).digest('hex') },
    metadata: {},
    created_at: at(0).toISOString(),
    expires_at: new Date(now + 3_600_000).toISOString(),
  };
  await redis
    .multi()
    .set(`${p}idempotency:-:${keyHash}`, idempotencyAnswer, 'EX', 3600)
    .set(`${p}file:${fileId}`, JSON.stringify(file), 'EX', 3600)
    .set(`${p}file:${fileId}:content`, fileBytes, 'EX', 3600)
    .set(`${p}model-routing:m`, JSON.stringify(routing))
    .hset(`${p}shadow:m:2:${minute}`, { compared: 3, agreed: 2, abs_diff_sum: 0.3 })
    .expire(`${p}shadow:m:2:${minute}`, 1020)
    .lpush(`${p}shadow:m:2:latency`, `${now},10,12`)
    .expire(`${p}shadow:m:2:latency`, 1020)
    .zadd(`${p}shadow:m:candidates`, now, '2')
    .expire(`${p}shadow:m:candidates`, 1020)
    // Ephemeral: the worker registry (gone), a rate-limit window and a cached answer (kept).
    .zadd(`${p}workers`, now, 'w1')
    .set(`${p}worker:w1`, '{"id":"w1"}', 'PX', 15_000)
    .zadd(`${p}queue-workers`, now, 'bullmq-w1')
    .set(`${p}ratelimit:key:alice`, '3', 'EX', 60)
    .set(`${p}result-cache:m@1:${'a'.repeat(64)}`, '{"predictions":[]}', 'EX', 3600)
    .exec();

  return {
    prioritized,
    delayed,
    finished,
    intentOnly,
    stalled,
    canceled,
    imageBytes,
    cancelAt,
    idempotencyKey,
    idempotencyAnswer,
    fileId,
    fileBytes,
    routing,
    deliveries,
    outboxEventId,
  };
}

/**
 * A backlog under the old names: `count` queued jobs (record, payload, deadline, owner-index
 * entry, BullMQ job in `inference.m`) and `count` finished ones (record expiring, owner-index
 * entry, outbox event). Answers the ids of each.
 */
export async function seedBacklog(
  redis: Redis,
  prefix: string,
  count: number,
): Promise<{ queued: string[]; finished: string[] }> {
  const p = `${prefix}:`;
  const now = Date.now();
  const queued: NewJob[] = [];
  const finished: NewJob[] = [];
  const tx = redis.pipeline();
  for (let i = 0; i < count; i++) {
    const createdAt = new Date(now - i);
    const job: NewJob = { id: newJobId(now - i), model: 'm', createdAt, cancelAt: new Date(now + 3_600_000) };
    const done: NewJob = { id: newJobId(now - i), model: 'm', createdAt };
    queued.push(job);
    finished.push(done);
    tx.hset(`${p}job:${job.id}`, jobRecordOf(job));
    tx.set(`${p}job:${job.id}:image`, Buffer.alloc(256, 1));
    tx.zadd(`${p}deadlines`, now + 3_600_000, job.id);
    tx.hset(`${p}job:${done.id}`, { ...jobRecordOf(done), status: 'succeeded' });
    tx.expire(`${p}job:${done.id}`, 3600);
    tx.zadd(`${p}jobs-of:-`, createdAt.getTime(), job.id, createdAt.getTime(), done.id);
    tx.xadd(`${p}webhook-outbox`, '*', 'event_id', `msg_${i}`, 'delivery_id', `msg_${i}`, 'job_id', done.id);
  }
  await tx.exec();
  const queue = new Queue('inference.m', { connection: redis, prefix });
  await queue.addBulk(
    queued.map((job) => ({
      name: 'infer',
      data: { jobId: job.id, model: 'm', enqueuedAt: job.createdAt.getTime() },
      opts: inferenceJobOptions({ jobId: job.id, attempts: 3 }),
    })),
  );
  await queue.close();
  return { queued: queued.map(({ id }) => id), finished: finished.map(({ id }) => id) };
}
