import { parseAllowlistEntry } from '@infer/contracts';
import { z } from 'zod';
import { DEFAULT_REDIS_PORT, parseRedisEndpoint } from './redis-target.ts';

const MiB = 1024 * 1024;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);
const allowlistEntry = (value: string, context: z.RefinementCtx) => {
  try {
    parseAllowlistEntry(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
};
const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/**
 * Every setting of every process, read from the environment once at start-up.
 * Each entry documents its default; README's "Configuration" table mirrors it.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines on a terminal, JSON lines otherwise; or force `json` / `pretty`. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /**
   * Redis holding queues, job records and payloads. With REDIS_SENTINELS set, only its
   * credentials, database number and scheme (`rediss:` = TLS to the data nodes) count.
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /**
   * Sentinels to ask for the current primary, comma-separated `host:port` (`[::1]:26379` for
   * IPv6; port default 26379). Set, every connection follows a Sentinel failover; empty, REDIS_URL is the server.
   */
  REDIS_SENTINELS: csv
    .transform((entries, ctx) =>
      entries.map((entry) => {
        const endpoint = parseRedisEndpoint(entry);
        if (!endpoint) ctx.addIssue({ code: 'custom', message: `"${entry}": expected host:port or [ipv6]:port` });
        return endpoint ?? { host: entry, port: 0 };
      }),
    )
    .default([]),
  /**
   * Seed nodes of a Redis Cluster, comma-separated `host:port` (port default 6379): set, every
   * connection is a Cluster client that learns the other nodes from these, and REDIS_URL gives
   * only credentials and TLS (database 0). Not with REDIS_SENTINELS (a Cluster fails over by itself).
   */
  REDIS_CLUSTER_NODES: csv
    .transform((entries, ctx) =>
      entries.map((entry) => {
        const endpoint = parseRedisEndpoint(entry, DEFAULT_REDIS_PORT);
        if (!endpoint) ctx.addIssue({ code: 'custom', message: `"${entry}": expected host:port or [ipv6]:port` });
        return endpoint ?? { host: entry, port: 0 };
      }),
    )
    .default([]),
  /** The master group name the sentinels monitor. */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .default('mymaster'),
  /** The sentinels' own ACL user and password, as a pair; when neither is set, REDIS_URL's are used. */
  REDIS_SENTINEL_USERNAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the sentinels; default: as to the data nodes (REDIS_URL's `rediss:`). */
  REDIS_SENTINEL_TLS: bool.optional(),
  /**
   * Replicas that must confirm a submission's write (Redis WAIT, on the connection that wrote it)
   * before it is answered 2xx; fewer within REDIS_WAIT_TIMEOUT_MS answer 503 with Retry-After and a
   * retry with the same Idempotency-Key returns the job written. 0: answered once the primary has it.
   */
  REDIS_WAIT_REPLICAS: int(0, 64).default(0),
  REDIS_WAIT_TIMEOUT_MS: int(1, 60_000).default(1000),
  /**
   * Prefix of every Redis key (BullMQ's and ours). No {braces}: the keys carry their own hash
   * tags (one per queue and per job-store shard) so that a Cluster spreads them; a tag in the
   * prefix would put everything in one slot.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-" only (no {hash tag}: the keys carry their own)')
    .default('infer'),
  /**
   * Each model's queue is this many BullMQ queues, each in its own Cluster slot (see
   * docs/deploying.md, "Queue shards"): the API spreads jobs over them, workers consume all.
   * Priority and FIFO hold within a shard. 1 on a single Redis; up to the primaries on a Cluster.
   */
  QUEUE_SHARDS: int(1, 64).default(1),

  // API
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(8080),
  MAX_UPLOAD_BYTES: int(1, 512 * MiB).default(10 * MiB),
  DEFAULT_MODEL: z.string().min(1).default('plant-pathology'),
  /** A worker heartbeat older than this is not counted as alive. */
  WORKER_HEARTBEAT_TTL_MS: int(1000, 600_000).default(15_000),
  /** Waiting + prioritized + delayed jobs of one model above which submissions get 429 queue_full. */
  MAX_QUEUE_DEPTH: int(1, 10_000_000).default(10_000),
  /** Images in one POST /v1/jobs:batch request. */
  MAX_BATCH_IMAGES: int(1, 1000).default(32),
  /** Whole body of one POST /v1/jobs:batch (images, base64 or multipart): bounds the API's memory per request. */
  MAX_BATCH_BYTES: int(1024, 4096 * MiB).default(64 * MiB),
  /** image_url download: whole-request deadline and redirects followed. */
  IMAGE_URL_TIMEOUT_MS: int(100, 120_000).default(10_000),
  IMAGE_URL_MAX_REDIRECTS: int(0, 10).default(3),
  /** Jobs (and predictions) per page of a listing when the request names no `limit` (at most 100). */
  LIST_PAGE_SIZE: int(1, 100).default(20),
  /** How long an Idempotency-Key remembers its job. */
  IDEMPOTENCY_TTL_SECONDS: int(1, 30 * 86_400).default(86_400),

  // API auth and rate limit: all off by default (local use); any of API_KEYS / JWT_SECRET / JWT_JWKS_URL turns auth on.
  /** Comma-separated SHA-256 hex digests of accepted bearer keys, each optionally `name:digest`. */
  API_KEYS: csv
    .pipe(
      z.array(z.string().regex(/^(?:[A-Za-z0-9._-]{1,64}:)?[0-9a-fA-F]{64}$/, 'expected sha256hex or name:sha256hex')),
    )
    .default([]),
  /** HS256 shared secret for JWT bearer tokens (at least 32 characters). */
  JWT_SECRET: z.string().min(32).optional(),
  /** JWKS of the identity provider for RS/ES/EdDSA JWTs; requires JWT_ISSUER. */
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Required `iss` of JWTs (checked whenever set). */
  JWT_ISSUER: z.string().min(1).optional(),
  /** Required `aud` of JWTs (checked whenever set). */
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Requests per minute per principal (API key, JWT subject, or client IP without auth) on /v1; 0 = no limit. */
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(0),
  /**
   * Which proxies in front of the API to believe about the client address (X-Forwarded-For),
   * as Express's `trust proxy`: `false` (default), `true`, a hop count, or addresses, CIDRs and
   * `loopback` / `linklocal` / `uniquelocal`. The rate limit without auth keys on that address.
   */
  TRUST_PROXY: z
    .string()
    .transform((value, ctx): boolean | number | string[] => {
      const text = value.trim();
      if (text === 'true' || text === 'false') return text === 'true';
      if (/^\d{1,2}$/.test(text)) return Number(text);
      const entries = text.split(',').map((part) => part.trim());
      const valid = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;
      if (entries.some((entry) => !valid.test(entry))) {
        ctx.addIssue({ code: 'custom', message: 'expected true, false, a hop count, or addresses/CIDRs/loopback' });
        return z.NEVER;
      }
      return entries;
    })
    .default(false),
  /** Browser origins allowed to call /v1 (CORS), comma-separated (`https://app.example.com`) or `*`; off when empty. */
  CORS_ORIGINS: csv
    .pipe(
      z.array(z.string().regex(/^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/, 'expected * or scheme://host[:port]')),
    )
    .default([]),
  /** With auth on, the principals (`key:<name>`, `jwt:<sub>`) that may open /admin/queues. */
  ADMIN_PRINCIPALS: csv.default([]),
  /** Let /admin/queues retry, promote, clean and remove jobs; read-only by default. */
  ADMIN_QUEUES_WRITABLE: bool.default(false),

  // Both
  MODEL_REPOSITORY: z.string().min(1).default('./models'),
  /** How often workers (and the API's catalog) look for new and removed versions; 0: only at start and on the admin reload call. */
  MODEL_REPOSITORY_POLL_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  /** Minimum 1 so tests can watch expiry happen; production values are hours. */
  RESULT_TTL_SECONDS: int(1, 30 * 86_400).default(86_400),

  // Worker
  WORKER_PORT: int(0, 65535).default(9090),
  /** Jobs one worker process holds at once; keep it above MAX_BATCH_SIZE so batches fill. */
  WORKER_CONCURRENCY: int(1, 1024).default(16),
  /** Shadow runs one worker holds at once; more are dropped (counted), never queued. */
  SHADOW_MAX_IN_FLIGHT: int(0, 1024).default(4),
  /** Models this worker serves (comma-separated); empty means every model in the repository. */
  WORKER_MODELS: csv.default([]),
  EXECUTION_PROVIDERS: csv.pipe(z.array(z.enum(['cuda', 'cpu'])).min(1)).default(['cpu']),
  /** onnxruntime session options; 0 threads means onnxruntime's default (one per core). */
  INTRA_OP_THREADS: int(0, 256).default(0),
  CUDA_DEVICE_ID: int(0, 64).default(0),
  GRAPH_OPTIMIZATION_LEVEL: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  CPU_MEM_ARENA: bool.default(true),
  /** onnxruntime's busy-waiting intra-op threads; off by default so idle inference threads leave the cores to the decoders. */
  INTRA_OP_SPINNING: bool.default(false),
  MAX_BATCH_SIZE: int(1, 1024).default(8),
  BATCH_WINDOW_MS: int(0, 10_000).default(5),
  /** Choose each model version's batch cap (<= MAX_BATCH_SIZE) from measured throughput, at warm-up and as batches run. */
  BATCH_AUTOTUNE: bool.default(true),
  /**
   * Opt-in result cache: the same image bytes for the same model version answered from the
   * stored predictions for this long (identical jobs running at once share one inference); 0 is off.
   */
  RESULT_CACHE_TTL_SECONDS: int(0, 30 * 86_400).default(0),
  /** Benchmarking only: batches are not run but wait this long, using no CPU (a GPU stand-in); 0 runs them. */
  STAND_IN_BATCH_MS: int(0, 60_000).default(0),
  /** With BATCH_AUTOTUNE: the longest one batch may take; larger batches than fit are not chosen. */
  BATCH_LATENCY_BUDGET_MS: int(1, 600_000).default(250),
  PREPROCESS_CONCURRENCY: int(1, 64).default(2),
  /** Read by libuv itself (Node's thread pool, where sharp decodes); validated here, keep >= PREPROCESS_CONCURRENCY. */
  UV_THREADPOOL_SIZE: int(1, 1024).default(4),
  MAX_INPUT_PIXELS: int(1, 1_000_000_000).default(50_000_000),
  JOB_ATTEMPTS: int(1, 100).default(3),
  JOB_TIMEOUT_MS: int(100, 3_600_000).default(120_000),
  /** BullMQ lock; inference runs off the main thread, so renewal is not starved. */
  LOCK_DURATION_MS: int(1000, 3_600_000).default(60_000),
  SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(25_000),
  WARMUP: bool.default(true),

  // Outbound URLs (image_url, webhooks) and the webhook dispatcher
  /**
   * Hosts, IPs and CIDRs that outbound requests may reach although private, best with a port
   * (`127.0.0.1:9000,hooks.internal:8443,[fd00::/8]:443`); an entry without one allows every port.
   */
  SSRF_ALLOWLIST: csv.pipe(z.array(z.string().superRefine(allowlistEntry))).default([]),
  /** Standard Webhooks signing secrets (`whsec_<base64>`), space/comma separated during rotation; required by the dispatcher. */
  WEBHOOK_SECRET: z
    .string()
    .transform((value) => value.split(/[\s,]+/).filter((part) => part.length > 0))
    .pipe(z.array(z.string().regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'expected whsec_<base64 of 16+ bytes>')).min(1))
    .optional(),
  /** Delays before each retry of a webhook delivery (ms, s, m, h units); `none` = one attempt only. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .transform((value, ctx) => {
      if (value.trim() === 'none') return [];
      const delays = value.split(',').map((part) => parseDuration(part.trim()));
      if (delays.some((d) => d === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'expected a list like "5s,5m,30m,2h" (units ms, s, m, h)' });
        return z.NEVER;
      }
      return delays as number[];
    })
    .default(['5s', '5m', '30m', '2h', '5h', '10h', '10h'].map((d) => parseDuration(d) as number)),
  /** Deadline of one delivery attempt (connect, send, answer). */
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Deliveries one dispatcher runs at once (network-bound). */
  WEBHOOK_CONCURRENCY: int(1, 1000).default(32),
  /** While tracing is on: send the job's W3C `traceparent` to webhook receivers (`false` keeps it in-house). */
  WEBHOOK_TRACEPARENT: bool.default(true),
  /** Dispatcher `/healthz`, `/readyz`, `/metrics`. */
  DISPATCHER_PORT: int(0, 65535).default(9091),
});

/** "250ms", "5s", "30m", "2h" (or a bare number of ms) to milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

/** Parse the environment; every bad variable is named in one error. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings count as unset, as in most deployment tools.
  const defined = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(defined);
  if (parsed.success) {
    const problems = combinationProblems(parsed.data);
    if (problems.length > 0) throw new ConfigError(problems);
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `${name}=${JSON.stringify(defined[name] ?? '')}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Settings each valid alone that cannot go together. */
function combinationProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.REDIS_CLUSTER_NODES.length > 0) {
    if (env.REDIS_SENTINELS.length > 0) {
      problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one (a Cluster fails over without Sentinel)');
    }
    const database = new URL(env.REDIS_URL).pathname.replace(/^\//, '');
    if (database !== '' && database !== '0') {
      problems.push(`REDIS_URL=".../${database}": a Redis Cluster has database 0 only`);
    }
  }
  return problems;
}

/** For main.ts: load or print one line naming every bad variable and exit. */
export function loadEnvOrExit(source: NodeJS.ProcessEnv = process.env): Env {
  try {
    return loadEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
