import type { BatchingResult } from '../lib/batching.ts';
import type { LoadPoint } from '../lib/load.ts';
import type { ProfileSummary } from '../lib/profile.ts';
import type { WakeCost } from '../lib/wake.ts';

export interface ModelResult {
  key: string;
  title: string;
  image: string;
  /** system -> points at each client count */
  points: Record<string, LoadPoint[]>;
  /** Top label of the bench image from each system: they must agree (same weights). */
  labels: Record<string, string>;
}

export interface EnqueueResult {
  connections: number;
  seconds: number;
  submissionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  apiCpuMsPerSubmission: number;
  redisCpuMsPerSubmission: number;
  redisBytesPerQueuedJob: number;
  /** Where the API's main thread spends its time, from a --cpu-prof run of the same load. */
  profiles?: Record<string, ProfileSummary>;
}

/** One API, no worker: one Redis against a Sentinel group with and without WAIT (sections/sentinel.ts). */
export interface SentinelPoint {
  label: 'one Redis' | 'Sentinel, REDIS_WAIT_REPLICAS=0' | 'Sentinel, REDIS_WAIT_REPLICAS=1';
  submissionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  apiCpuMsPerSubmission: number;
  /** The primary's CPU. */
  redisCpuMsPerSubmission: number;
}

export interface SentinelResult {
  connections: number;
  seconds: number;
  points: SentinelPoint[];
}

/** One redis-server under the load of a ClusterPoint. */
export interface ClusterNodeFigures {
  /** `redis` for the one Redis; `primary 1` (lowest slots first) and `replica of 1` on the Cluster. */
  node: string;
  role: 'primary' | 'replica';
  /** The slot ranges it serves (a replica: its primary's), `all` for the one Redis. */
  slots: string;
  cpuMsPerJob: number;
  /** Its total_commands_processed over the measured stretch, per job (a replica's are the writes it applies). */
  commandsPerJob: number;
  /** Its total_reads_processed (socket reads, each bringing one or more commands) over the measured stretch, per job. */
  readsPerJob: number;
  /** Its CPU with the API and workers up and no job, before the load: its fixed cost (crons, cluster bus, clients' polls). */
  idleCpuMsPerSecond: number;
}

/** Tiny jobs end to end on one Redis or on a three-primary Cluster (sections/cluster.ts). */
export interface ClusterPoint {
  label: 'one Redis' | 'Cluster, QUEUE_SHARDS=1' | 'Cluster, QUEUE_SHARDS=3';
  /** Jobs that succeeded, per second of the measured stretch. */
  jobsPerSecond: number;
  /** Of each job from its submission to its answer (`Prefer: wait`). */
  p50Ms: number;
  p99Ms: number;
  /** Jobs whose answer was not `succeeded`, warm-up included. */
  failedJobs: number;
  /** Lines of the API's and workers' logs at error level or naming a Cluster refusal (CROSSSLOT, TRYAGAIN, ...). */
  logErrors: number;
  /**
   * CPU that processes other than these (and the bench's own) used over the measured stretch,
   * in cores: /proc/stat's busy time less ours. On a shared machine, what it took from the load.
   */
  otherCpuCores: number;
  apiCpuMsPerJob: number;
  /** Every worker process together. */
  workersCpuMsPerJob: number;
  /** Every redis-server together: the primaries and the replicas. */
  redisCpuMsPerJob: number;
  primariesCpuMsPerJob: number;
  replicasCpuMsPerJob: number;
  nodes: ClusterNodeFigures[];
}

export interface ClusterResult {
  clients: number;
  workers: number;
  /** The measured stretch of each point. */
  seconds: number;
  /** How long each point's idle CPU was measured. */
  idleSeconds: number;
  /** The GPU stand-in of every worker (STAND_IN_BATCH_MS, MAX_BATCH_SIZE). */
  batchMs: number;
  maxBatchSize: number;
  /** Cores of the machine, which every process of both topologies shares. */
  cores: number;
  points: ClusterPoint[];
}

export interface TinyJobsResult {
  clients: number;
  jobsPerSecond: number;
  p50Ms: number;
  /** CPU-ms per job of each process, and the raw pipeline's for the same tiny image. */
  cpuMsPerJob: Record<string, number>;
  rawCpuMsPerJob: number;
  /** The raw pipeline's preprocessing of the same image, one call at a time in the bench process. */
  rawPreprocess?: { decodeCpuMs: number; decodeAndResizeCpuMs: number; width: number; height: number } | undefined;
  /** Where the API's and the worker's main threads spend their time, from a --cpu-prof run of the same load. */
  profiles?: Record<string, ProfileSummary>;
}

export interface ScaleOutResult {
  /** The GPU stand-in: each batch waits this long and uses no CPU. */
  batchMs: number;
  maxBatchSize: number;
  points: {
    workers: number;
    jobsPerSecond: number;
    /** What the workers could do if nothing else limited them: workers x maxBatchSize / batchMs. */
    linearJobsPerSecond: number;
    p50Ms: number;
    redisOpsPerSecond: number;
    cpuMsPerJob: number;
  }[];
}

export interface CacheResult {
  /** The key of the ModelResult (model, and image when there are several) its hits are set against. */
  model: string;
  title: string;
  image: string;
  /** The first job with the image: decoded and inferred. */
  missMs: number;
  hitsPerSecond: number;
  hitP50Ms: number;
  hitP99Ms: number;
  /** CPU-ms per hit over every process. */
  hitCpuMs: number;
}

export interface CliResult {
  images: number;
  /** The CLI's --concurrency, and the load generator's clients. */
  concurrency: number;
  /** Rounds of each, in turns; the figures are their means. */
  rounds: number;
  generatorImagesPerSecond: number;
  /** From the CLI's own summary: its run, without the process start. */
  cliImagesPerSecond: number;
  /** From spawning the CLI to its exit. */
  cliWallImagesPerSecond: number;
  /** The CLI process's CPU (user + system, from /proc) over the images, its start-up included. */
  cliCpuMsPerImage: number;
  /** CPU of `infer health` (start-up and one request): the fixed part of the above. */
  cliStartupCpuMs: number;
  cliCpuMsPerImageAfterStartup: number;
  /** CPU-ms per image of the API, worker and Redis under each client. */
  serverCpuMsPerImage: { generator: number; cli: number };
}

/** Tiny jobs with tracing off and on (every span exported over OTLP/HTTP), same load. */
export interface TracingCostResult {
  clients: number;
  off: { jobsPerSecond: number; p50Ms: number; cpuMsPerJob: Record<string, number> };
  on: { jobsPerSecond: number; p50Ms: number; cpuMsPerJob: Record<string, number> };
  /** OTLP export requests the stand-in collector received while tracing was on. */
  exportRequests: number;
}

/** What one run measured: docs/benchmarks.json holds it, and the report and charts are written from it alone. */
export interface BenchReport {
  mode: 'quick' | 'full';
  startedAt: string;
  machine: Record<string, string | number>;
  models: ModelResult[];
  batching?: BatchingResult | undefined;
  enqueue?: EnqueueResult | undefined;
  tiny?: TinyJobsResult | undefined;
  scaleOut?: ScaleOutResult | undefined;
  cache?: CacheResult | undefined;
  tracing?: TracingCostResult | undefined;
  cli?: CliResult | undefined;
  sentinel?: SentinelResult | undefined;
  cluster?: ClusterResult | undefined;
  /** A hop to an idle process on this machine (measureWakeCost). */
  wake?: WakeCost | undefined;
}
