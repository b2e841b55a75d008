import { randomBytes } from 'node:crypto';
import { freePort } from '../../dev-support/free-port.ts';
import { ServiceProcess } from './processes.ts';
import { deletePrefix, testRedis, testRedisUrl, uniquePrefix } from './redis.ts';

export interface SystemOptions {
  /** Extra environment for every process. */
  env?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Extra environment for the first API process only (restartApi starts without it). */
  apiEnv?: Record<string, string>;
  /** Number of workers to start (default 1). */
  workers?: number;
  /** Start the webhook dispatcher too (default false); more with startDispatcher(). */
  dispatcher?: boolean;
  /** Extra environment for dispatchers (WEBHOOK_SECRET defaults to a fresh `webhookSecret`). */
  dispatcherEnv?: Record<string, string>;
  /** Node.js binary for every process (default: the one running the tests). */
  node?: string;
}

/**
 * API + worker(s) as real processes against the test Redis, under a prefix of
 * their own. `stop()` ends them and deletes every key they wrote.
 */
export class TestSystem {
  readonly workers: ServiceProcess[] = [];
  readonly dispatchers: ServiceProcess[] = [];
  /** Base URL of each dispatcher's /healthz, /readyz, /metrics (same order as `dispatchers`). */
  readonly dispatcherUrls: string[] = [];
  /** Signing secret given to dispatchers unless dispatcherEnv or env names one. */
  readonly webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  private dispatcherEnv: Record<string, string> = {};
  readonly prefix: string;
  public api: ServiceProcess;
  readonly apiUrl: string;
  private readonly env: Record<string, string>;
  private readonly workerEnv: Record<string, string>;
  private readonly node: string | undefined;

  private constructor(
    prefix: string,
    api: ServiceProcess,
    apiUrl: string,
    env: Record<string, string>,
    workerEnv: Record<string, string>,
    node: string | undefined,
  ) {
    this.node = node;
    this.prefix = prefix;
    this.api = api;
    this.apiUrl = apiUrl;
    this.env = env;
    this.workerEnv = workerEnv;
  }

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const prefix = uniquePrefix('sys');
    const port = await freePort();
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, WORKER_HEARTBEAT_TTL_MS: '3000', ...options.env };
    const api = new ServiceProcess(
      'api',
      'apps/api/src/main.ts',
      { ...env, PORT: String(port), HOST: '127.0.0.1', ...options.apiEnv },
      options.node,
    );
    const system = new TestSystem(prefix, api, `http://127.0.0.1:${port}`, env, options.workerEnv ?? {}, options.node);
    try {
      await api.waitForHttp(`${system.apiUrl}/healthz`);
      for (let i = 0; i < (options.workers ?? 1); i++) await system.startWorker();
      if ((options.workers ?? 1) > 0) await api.waitForHttp(`${system.apiUrl}/readyz`);
      system.dispatcherEnv = options.dispatcherEnv ?? {};
      if (options.dispatcher) await system.startDispatcher();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  /** Replace the API process (after it died, or stopping it first) with one on the same port. */
  async restartApi(extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    await this.api.stop('SIGKILL');
    const port = new URL(this.apiUrl).port;
    this.api = new ServiceProcess(
      'api',
      'apps/api/src/main.ts',
      { ...this.env, PORT: port, HOST: '127.0.0.1', ...extraEnv },
      this.node,
    );
    await this.api.waitForHttp(`${this.apiUrl}/healthz`);
    return this.api;
  }

  /** A worker process, ready once its models are warm; `extraEnv.WORKER_PORT` is honoured if given. */
  async startWorker(extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = extraEnv.WORKER_PORT ?? String(await freePort());
    const worker = new ServiceProcess(
      `worker-${this.workers.length + 1}`,
      'apps/worker/src/main.ts',
      { ...this.env, ...this.workerEnv, ...extraEnv, WORKER_PORT: port },
      this.node,
    );
    this.workers.push(worker);
    await worker.waitForHttp(`http://127.0.0.1:${port}/readyz`);
    return worker;
  }

  /** A webhook dispatcher process (apps/webhook-dispatcher), ready once its relay and delivery worker run. */
  async startDispatcher(extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = await freePort();
    const dispatcher = new ServiceProcess(
      `dispatcher-${this.dispatchers.length + 1}`,
      'apps/webhook-dispatcher/src/main.ts',
      {
        WEBHOOK_SECRET: this.webhookSecret,
        ...this.env,
        ...this.dispatcherEnv,
        DISPATCHER_PORT: String(port),
        ...extraEnv,
      },
      this.node,
    );
    this.dispatchers.push(dispatcher);
    this.dispatcherUrls.push(`http://127.0.0.1:${port}`);
    await dispatcher.waitForHttp(`http://127.0.0.1:${port}/readyz`);
    return dispatcher;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.api, ...this.workers, ...this.dispatchers].map((p) => p.stop('SIGTERM', 30_000)));
    const redis = testRedis();
    try {
      await deletePrefix(redis, this.prefix);
    } finally {
      redis.disconnect();
    }
  }

  /** Logs of every process, for assertion messages. */
  logs(): string {
    return [this.api, ...this.workers, ...this.dispatchers].map((p) => `--- ${p.name} ---\n${p.logs}`).join('\n');
  }

  url(path: string): string {
    return `${this.apiUrl}${path}`;
  }
}
