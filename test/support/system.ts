import { freePort } from '../../scripts/lib/free-port.ts';
import { ServiceProcess } from './processes.ts';
import { deletePrefix, testRedis, testRedisUrl, uniquePrefix } from './redis.ts';

export interface SystemOptions {
  /** Extra environment for every process. */
  env?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Number of workers to start (default 1). */
  workers?: number;
}

/**
 * API + worker(s) as real processes against the test Redis, under a prefix of
 * their own. `stop()` ends them and deletes every key they wrote.
 */
export class TestSystem {
  readonly workers: ServiceProcess[] = [];
  private constructor(
    readonly prefix: string,
    readonly api: ServiceProcess,
    readonly apiUrl: string,
    private readonly env: Record<string, string>,
    private readonly workerEnv: Record<string, string>,
  ) {}

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const prefix = uniquePrefix('sys');
    const port = await freePort();
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, WORKER_HEARTBEAT_TTL_MS: '3000', ...options.env };
    const api = new ServiceProcess('api', 'apps/api/src/main.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' });
    const system = new TestSystem(prefix, api, `http://127.0.0.1:${port}`, env, options.workerEnv ?? {});
    try {
      await api.waitForHttp(`${system.apiUrl}/healthz`);
      for (let i = 0; i < (options.workers ?? 1); i++) await system.startWorker();
      if ((options.workers ?? 1) > 0) await api.waitForHttp(`${system.apiUrl}/readyz`);
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  async startWorker(extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = await freePort();
    const worker = new ServiceProcess(`worker-${this.workers.length + 1}`, 'apps/worker/src/main.ts', {
      ...this.env,
      ...this.workerEnv,
      WORKER_PORT: String(port),
      ...extraEnv,
    });
    this.workers.push(worker);
    await worker.waitForHttp(`http://127.0.0.1:${port}/readyz`);
    return worker;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.api, ...this.workers].map((p) => p.stop('SIGTERM', 30_000)));
    const redis = testRedis();
    try {
      await deletePrefix(redis, this.prefix);
    } finally {
      redis.disconnect();
    }
  }

  /** Logs of every process, for assertion messages. */
  logs(): string {
    return [this.api, ...this.workers].map((p) => `--- ${p.name} ---\n${p.logs}`).join('\n');
  }

  url(path: string): string {
    return `${this.apiUrl}${path}`;
  }
}
