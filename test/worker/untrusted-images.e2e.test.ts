import { WorkerRegistry } from '@infer/job-store';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { animatedWebp, noiseImage, pngBomb, zipArchive } from './fixtures/hostile-images.ts';
import {
  bullJob,
  enqueueDirectly,
  type ProbedWorker,
  rssMiB,
  sample,
  startProbedWorker,
  submit,
  waitDone,
} from './support/worker-harness.ts';

/**
 * Untrusted uploads through the real API, Redis and worker processes with the
 * reference model: each hostile file fails only its own job, with a stable code
 * and no retry, and the worker stays up with bounded memory.
 */
describe('worker: untrusted images and micro-batching (real processes)', () => {
  let system: TestSystem;
  let worker: ProbedWorker;
  let green: Buffer;
  let greenJpeg: Buffer;

  beforeAll(async () => {
    // No worker yet: the first test queues a mixed batch before the worker starts taking jobs.
    system = await TestSystem.start({ workers: 0 });
    green = await solidImage(COLOURS.green, 'png');
    greenJpeg = await solidImage(COLOURS.green, 'jpeg');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('batches good images pulled together, and corrupt ones among them fail alone', async () => {
    const goods = [
      COLOURS.green,
      COLOURS.orangeBrown,
      COLOURS.darkOlive,
      COLOURS.yellow,
      COLOURS.green,
      COLOURS.yellow,
    ];
    const labels = ['healthy', 'rust', 'scab', 'multiple_diseases', 'healthy', 'multiple_diseases'];
    const goodIds = [];
    const badIds = [];
    for (const [i, rgb] of goods.entries()) {
      goodIds.push(await submit(system, await solidImage(rgb, i % 2 ? 'jpeg' : 'png')));
      const corrupt =
        i % 2 ? (await noiseImage('jpeg')).subarray(0, 3000) : (await noiseImage('png')).subarray(0, 3000);
      badIds.push(await submit(system, corrupt));
    }
    // The batcher is under test, not the tuner: on a busy machine (test files run side by side)
    // the tuner may measure no gain from batching this model and rightly choose a cap of 1.
    worker = await startProbedWorker(system, { BATCH_WINDOW_MS: '200', MAX_BATCH_SIZE: '8', BATCH_AUTOTUNE: 'false' });

    const good = await Promise.all(goodIds.map((id) => waitDone(system, id)));
    const bad = await Promise.all(badIds.map((id) => waitDone(system, id)));

    expect(
      good.map((job) => job.status),
      system.logs(),
    ).toEqual(goods.map(() => 'succeeded'));
    expect(good.map((job) => job.result?.predictions[0]?.label)).toEqual(labels);
    expect(Math.max(...good.map((job) => job.timings?.batch_size ?? 0))).toBeGreaterThan(1);
    expect(bad.map((job) => [job.status, job.error?.code])).toEqual(badIds.map(() => ['failed', 'invalid_image']));
  });

  it.each([
    {
      name: 'a truncated PNG',
      make: async () => (await noiseImage('png')).subarray(0, 5000),
      code: 'invalid_image',
      message: 'the image is truncated or not a valid PNG',
    },
    {
      name: 'a truncated JPEG',
      make: async () => (await noiseImage('jpeg')).subarray(0, 5000),
      code: 'invalid_image',
      message: 'the image is truncated or not a valid JPEG',
    },
    {
      name: 'a 20000x20000 PNG bomb',
      make: () => pngBomb(20_000, 20_000),
      code: 'image_too_large',
      message: 'the image has more than 50,000,000 pixels, the most a worker decodes',
    },
    {
      name: 'JPEG magic bytes in front of a PDF',
      make: async () =>
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('%PDF-1.7\n%\xe2\xe3\n1 0 obj')]),
      code: 'invalid_image',
      message: 'the image is truncated or not a valid JPEG',
    },
    {
      name: 'a PNG signature in front of a GIF',
      make: async () =>
        Buffer.concat([(await solidImage(COLOURS.green, 'png')).subarray(0, 8), await sharp(green).gif().toBuffer()]),
      code: 'invalid_image',
      message: 'the image is truncated or not a valid PNG',
    },
    {
      name: 'a RIFF/WebP header around garbage',
      make: async () => Buffer.concat([Buffer.from('RIFF\x40\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(64, 0x41)]),
      code: 'invalid_image',
      message: 'the image is truncated or not a valid WebP',
    },
  ])('$name fails alone with $code and one sentence, and is not retried', async ({ make, code, message }) => {
    const id = await submit(system, await make());
    const job = await waitDone(system, id);
    expect(job.status, system.logs()).toBe('failed');
    expect(job.error).toEqual({ code, message });
    expect(job.result).toBeNull();
    expect(await bullJob(system, id)).toMatchObject({ attemptsMade: 1, state: 'failed' });
    // The decoder's own words are for operators: in the worker's log line for this job only
    // (written just after the record, so waited for).
    const failedLine = () =>
      worker.process.logs.split('\n').find((entry) => entry.includes('"msg":"job failed"') && entry.includes(id)) ?? '';
    // pino appends an error's causes to its message: the sentence, then libvips' text.
    await expect.poll(failedLine).toContain(`"message":"${message}: `);
    if (code === 'image_too_large') expect(failedLine()).toMatch(/exceeds pixel limit/);
  });

  it.each([
    { name: 'a zero-byte file', bytes: async () => Buffer.alloc(0) },
    { name: 'a GIF', bytes: () => sharp(green).gif().toBuffer() },
  ])('$name that reaches the queue despite the API fails with invalid_image', async ({ bytes }) => {
    const id = await enqueueDirectly(system, await bytes());
    const job = await waitDone(system, id);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'invalid_image' } });
    expect(await bullJob(system, id)).toMatchObject({ attemptsMade: 1 });
  });

  it.each([
    // Decoders stop at the end-of-image marker: the pixels are the JPEG's, the appended
    // archive or markup is never parsed, and the bytes are deleted with the job.
    {
      name: 'a JPEG with a ZIP archive appended',
      make: async () => Buffer.concat([greenJpeg, zipArchive('a.html', '<b>hi')]),
    },
    {
      name: 'a JPEG with HTML appended',
      make: async () => Buffer.concat([greenJpeg, Buffer.from('<html><script>alert(1)</script></html>')]),
    },
    // The name and extension are ignored: the bytes decide.
    { name: 'a JPEG named leaf.png', make: async () => greenJpeg, filename: 'leaf.png' },
    { name: 'a PNG named leaf.webp', make: async () => green, filename: 'leaf.webp' },
    {
      name: 'an animated WebP (first frame green)',
      make: () => animatedWebp({ r: 40, g: 160, b: 40 }, { r: 200, g: 100, b: 30 }),
    },
    {
      name: 'a CMYK JPEG',
      make: () =>
        sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40, g: 160, b: 40 } } })
          .toColourspace('cmyk')
          .jpeg()
          .toBuffer(),
    },
  ])('$name decodes to its image and succeeds', async ({ make, filename }) => {
    const id = await submit(system, await make(), {}, filename);
    const job = await waitDone(system, id);
    expect(job.status, system.logs()).toBe('succeeded');
    expect(job.result?.predictions[0]?.label).toBe('healthy');
  });

  it('keeps memory bounded through a burst of decompression bombs and huge legitimate images', async () => {
    const pid = worker.process.child.pid as number;
    const before = rssMiB(pid);
    const bomb = await pngBomb(20_000, 20_000);
    const huge = await pngBomb(6000, 6000); // 36 Mpx: under MAX_INPUT_PIXELS, really decoded
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push(await submit(system, bomb));
    for (let i = 0; i < 3; i++) ids.push(await submit(system, huge));
    const jobs = await Promise.all(ids.map((id) => waitDone(system, id, 120_000)));
    const after = rssMiB(pid);
    expect(jobs.slice(0, 8).map((job) => job.error?.code)).toEqual(Array(8).fill('image_too_large'));
    expect(jobs.slice(8).map((job) => job.result?.predictions[0]?.label)).toEqual(['scab', 'scab', 'scab']);
    expect(after - before, `RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB`).toBeLessThan(300);
    expect(worker.process.exited).toBe(false);
  });

  it('exposes probes and metrics: outcomes, failure codes, stage latencies, batch sizes, provider', async () => {
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    const response = await fetch(`${worker.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const model = { model: 'plant-pathology' };
    expect(sample(text, 'worker_jobs_total', { ...model, outcome: 'succeeded' })).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'worker_jobs_total', { ...model, outcome: 'failed' })).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'worker_job_failures_total', { ...model, code: 'invalid_image' })).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'worker_job_failures_total', { ...model, code: 'image_too_large' })).toBeGreaterThanOrEqual(8);
    for (const stage of ['queue', 'preprocess', 'inference']) {
      expect(sample(text, 'worker_stage_seconds_count', { ...model, stage })).toBeGreaterThan(0);
    }
    // Warm-up runs outside the batcher and is not counted; the mixed batch above ran several images at once.
    expect(sample(text, 'worker_batch_size_count', model)).toBeGreaterThan(0);
    expect(sample(text, 'worker_batch_size_bucket', { ...model, le: '1' })).toBeLessThan(
      sample(text, 'worker_batch_size_count', model) as number,
    );
    expect(sample(text, 'worker_execution_provider_info', { provider: 'cpu' })).toBe(1);
    expect(sample(text, 'worker_ready')).toBe(1);
    expect(sample(text, 'worker_inference_pending')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // The heartbeat in Redis, which the API's /readyz counts, carries models, versions and provider.
    const redis = testRedis();
    try {
      const alive = await new WorkerRegistry(redis, system.prefix).alive(15_000);
      expect(alive.find((beat) => beat.pid === worker.process.child.pid)).toMatchObject({
        models: [{ name: 'plant-pathology', versions: ['1'] }],
        execution_provider: 'cpu',
      });
    } finally {
      redis.disconnect();
    }
  });
});
