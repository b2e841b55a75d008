import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startLocalRedis } from '../../dev-support/local-redis.ts';
import { quantile } from './proc.ts';

/** What one hop to another process costs here: a Redis PING back to back, and after Redis sat idle. */
export interface WakeCost {
  /** p50 of a PING sent as soon as the previous one was answered (Redis still awake). */
  busyMs: number;
  /** p50 of a PING sent after `idleMs` without traffic (Redis asleep in epoll_wait, its CPU perhaps halted). */
  afterIdleMs: number;
  idleMs: number;
}

/**
 * At one client every hop of a job (client -> API -> Redis -> worker -> Redis -> API) finds the next
 * process asleep, and on a virtual machine a sleeping process on a halted vCPU takes long to wake: that,
 * more than any CPU work, is what the queue adds to the p50 of a lone job. Measured on a private Redis.
 */
export async function measureWakeCost(samples = 200, idleMs = 5): Promise<WakeCost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'infer-bench-wake-'));
  const redis = await startLocalRedis({ dir });
  const client = new Redis(redis.url);
  try {
    await client.ping();
    const ping = async () => {
      const started = performance.now();
      await client.ping();
      return performance.now() - started;
    };
    const busy: number[] = [];
    for (let i = 0; i < samples; i++) busy.push(await ping());
    const idle: number[] = [];
    for (let i = 0; i < samples; i++) {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      idle.push(await ping());
    }
    return { busyMs: quantile(busy, 0.5), afterIdleMs: quantile(idle, 0.5), idleMs };
  } finally {
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
