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
  sentinel?: SentinelResult | undefined;
  /** A hop to an idle process on this machine (measureWakeCost). */
  wake?: WakeCost | undefined;
}
