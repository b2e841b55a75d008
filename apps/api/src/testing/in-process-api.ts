import path from 'node:path';
import { type Env, loadEnv } from '@infer/config';
import { createLogger } from '@infer/logger';
import { ROOT } from '../../../../test/support/processes.ts';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../../../../test/support/redis.ts';
import type { ApiServices } from '../services.ts';
import { type RunningApi, startApi } from '../start-api.ts';

/*
 * The one file of the in-process tests that reaches into apps/api/src: the tests
 * beside the features import this and nothing else of the API, so a move of the
 * API's modules changes the imports here only.
 */

export interface InProcessApiOptions {
  /**
   * The environment, as the API process would read it (API_KEYS, MAX_UPLOAD_BYTES,
   * RATE_LIMIT_PER_MINUTE, CORS_ORIGINS, ...). REDIS_URL defaults to the test run's
   * private Redis, QUEUE_PREFIX to a fresh prefix, MODEL_REPOSITORY to the repository's
   * models/ (the reference model), LOG_LEVEL to debug (as test/support/processes.ts).
   */
  env?: Record<string, string | undefined>;
}

/**
 * The API built by the same startApi as apps/api/src/main.ts (env parsing, Redis
 * connections, events subscription, model catalog, authenticator, services), listening
 * on an ephemeral 127.0.0.1 port in the test's own process: no spawn, no start-up wait.
 * What main.ts does on a bad setting (exit 78) is thrown here instead; the exit codes
 * themselves stay with the process-level tests.
 */
export class InProcessApi {
  /** `http://127.0.0.1:<port>`. */
  readonly apiUrl: string;
  readonly prefix: string;
  readonly env: Env;
  /** The services the routes use (store, queues, metrics, ...), for tests that look behind the HTTP answer. */
  readonly services: ApiServices;
  private readonly api: RunningApi;
  private readonly lines: string[];
  private closed: Promise<void> | undefined;

  private constructor(env: Env, api: RunningApi, lines: string[]) {
    this.apiUrl = api.url;
    this.prefix = env.QUEUE_PREFIX;
    this.env = env;
    this.services = api.services;
    this.api = api;
    this.lines = lines;
  }

  static async start(options: InProcessApiOptions = {}): Promise<InProcessApi> {
    const env = loadEnv({
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix('api'),
      MODEL_REPOSITORY: path.join(ROOT, 'models'),
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: '0',
      ...options.env,
    });
    const lines: string[] = [];
    const logger = createLogger({
      name: 'api',
      level: env.LOG_LEVEL,
      destination: { write: (line: string) => void lines.push(line) },
    });
    return new InProcessApi(env, await startApi(env, { logger }), lines);
  }

  url(path: string): string {
    return `${this.apiUrl}${path}`;
  }

  /** Every log line of this API so far (JSON lines, as the process writes them to a pipe). */
  logs(): string {
    return this.lines.join('');
  }

  /** Stop as main.ts's shutdown does, then delete every key under the prefix. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    // Every step but the last (closing Redis): the prefix is deleted on that connection first.
    const steps = this.api.shutdownSteps;
    for (const step of steps.slice(0, -1)) await step.run();
    try {
      await deletePrefix(this.api.redis, this.prefix);
    } finally {
      await steps.at(-1)?.run();
    }
  }
}
