import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freePort } from '../../dev-support/free-port.ts';
import { startLocalRedis } from '../../dev-support/local-redis.ts';
import { startLocalSentinelGroup } from '../../dev-support/local-sentinel-group.ts';
import { ServiceProcess } from '../../test/support/processes.ts';
import { CpuMeter } from '../lib/proc.ts';
import { FULL, MODELS, MODELS_DIR } from '../options.ts';
import type { SentinelPoint, SentinelResult } from '../report/results.ts';

/**
 * Submissions/s and CPU per submission with no worker running, side by side in one run: one
 * Redis, then a Sentinel group (a primary, one replica, three sentinels) with
 * REDIS_WAIT_REPLICAS 0 and 1. Every Redis here runs without AOF (as the Sentinel group's
 * nodes do), so the three differ only in the topology and the WAIT.
 */
export async function sentinelSection(tiny: Buffer): Promise<SentinelResult> {
  const seconds = FULL ? 15 : 5;
  const connections = 32;
  const measure = async (
    label: SentinelPoint['label'],
    redisUrl: string,
    env: Record<string, string>,
  ): Promise<SentinelPoint> => {
    const port = await freePort();
    const model = MODELS[0]?.name as string;
    const api = new ServiceProcess('api', 'apps/api/src/main.ts', {
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'info',
      MODEL_REPOSITORY: MODELS_DIR,
      DEFAULT_MODEL: model,
      MAX_QUEUE_DEPTH: '10000000',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    });
    const url = `http://127.0.0.1:${port}`;
    const probe = new Redis(redisUrl, env.REDIS_SENTINELS ? { sentinels: sentinelsOf(env), name: 'mymaster' } : {});
    try {
      await api.waitForHttp(`${url}/healthz`, 60_000);
      const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
      const meter = new CpuMeter({ api: api.child.pid as number, redis: redisPid });
      const result = await autocannon({
        url: `${url}/v1/jobs`,
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: tiny,
        connections,
        duration: seconds,
      });
      const cpu = meter.read();
      const accepted = result['2xx'];
      const point: SentinelPoint = {
        label,
        submissionsPerSecond: accepted / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors + result.non2xx,
        apiCpuMsPerSubmission: (cpu.api ?? 0) / Math.max(1, accepted),
        redisCpuMsPerSubmission: (cpu.redis ?? 0) / Math.max(1, accepted),
      };
      console.log(
        `${label}: ${point.submissionsPerSecond.toFixed(0)} submissions/s, p50 ${point.p50Ms} ms, p99 ${point.p99Ms} ms, API ${point.apiCpuMsPerSubmission.toFixed(2)} CPU-ms, primary ${point.redisCpuMsPerSubmission.toFixed(2)} CPU-ms per submission, ${point.errors} errors`,
      );
      return point;
    } finally {
      probe.disconnect();
      await api.stop();
    }
  };

  const points: SentinelPoint[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'infer-bench-single-'));
  const single = await startLocalRedis({ dir, appendOnly: false });
  try {
    points.push(await measure('one Redis', single.url, {}));
  } finally {
    await single.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const group = await startLocalSentinelGroup({ replicas: 1, sentinels: 3 });
  try {
    const env = { REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_NAME: group.name };
    const url = 'redis://unused.invalid:6379';
    points.push(await measure('Sentinel, REDIS_WAIT_REPLICAS=0', url, { ...env, REDIS_WAIT_REPLICAS: '0' }));
    points.push(await measure('Sentinel, REDIS_WAIT_REPLICAS=1', url, { ...env, REDIS_WAIT_REPLICAS: '1' }));
  } finally {
    await group.stop();
  }
  return { connections, seconds, points };
}

function sentinelsOf(env: Record<string, string>): { host: string; port: number }[] {
  return (env.REDIS_SENTINELS ?? '').split(',').map((entry) => {
    const [host, port] = entry.split(':');
    return { host: host as string, port: Number(port) };
  });
}
