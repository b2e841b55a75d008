import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startLocalRedis } from '../../dev-support/local-redis.ts';
import { type ClusterNode, startLocalRedisCluster } from '../../dev-support/local-redis-cluster.ts';
import type { ServiceProcess } from '../../test/support/processes.ts';
import { closedLoop } from '../lib/load.ts';
import { cpuMsFine, machineBusyMs } from '../lib/proc.ts';
import { type BenchModel, type ExternalRedis, startOurs } from '../lib/systems.ts';
import { FULL, MODELS, MODELS_DIR } from '../options.ts';
import type { ClusterNodeFigures, ClusterPoint, ClusterResult } from '../report/results.ts';

/** A Redis node the section measures: its process and a plain connection for INFO. */
interface MeasuredNode {
  name: string;
  role: ClusterNodeFigures['role'];
  slots: string;
  pid: number;
  info: Redis;
}

/** Lines of the processes' logs that say something went wrong (pino error and fatal, or a Cluster refusal). */
const TROUBLE = /"level":(?:50|60)|CROSSSLOT|TRYAGAIN|CLUSTERDOWN|ClusterAllFailedError/;

/**
 * Tiny jobs end to end (one API, `workers` workers with the GPU stand-in, `Prefer: wait`) on
 * one Redis and on a three-primary Redis Cluster (a replica each) with QUEUE_SHARDS 1 and 3,
 * the same load on each: jobs/s, latency, and CPU-ms per job of the API, the workers and every
 * redis-server (from /proc), so the Cluster's split of Redis's work over its primaries shows.
 * No AOF anywhere (the Cluster's nodes run without it), so the Redis set-ups differ only in topology.
 */
export async function clusterSection(tiny: Buffer): Promise<ClusterResult> {
  const seconds = FULL ? 15 : 4;
  const idleSeconds = FULL ? 5 : 2;
  const workers = 2;
  const clients = 32;
  // The stand-in: each batch of up to 8 waits 20 ms and uses no CPU, so two workers could
  // take 800 jobs/s; the CPU of the API, the workers' own work and Redis is what limits.
  const batchMs = 20;
  const maxBatchSize = 8;

  const measure = async (
    label: ClusterPoint['label'],
    redis: ExternalRedis['env'],
    nodes: MeasuredNode[],
    env: Record<string, string>,
  ): Promise<ClusterPoint> => {
    const redisPids = Object.fromEntries(nodes.map((node) => [node.name, node.pid]));
    const ours = await startOurs(MODELS_DIR, MODELS[0] as BenchModel, {
      workers,
      env: { STAND_IN_BATCH_MS: String(batchMs), MAX_BATCH_SIZE: String(maxBatchSize), ...env },
      redis: { env: redis, pids: redisPids },
    });
    const trouble = [ours.api, ...ours.workers].map(watchForTrouble);
    let failed = 0;
    let failedInWarmup = 0;
    const firstFailures: string[] = [];
    const send = () =>
      ours.send(tiny).then(
        () => undefined,
        (error: Error) => {
          failed++;
          if (firstFailures.length < 3) firstFailures.push(error.message);
        },
      );
    try {
      // With every process up and no job: what the nodes cost doing nothing (cluster bus, crons, clients' polls).
      const idleBefore = nodes.map((node) => cpuMsFine(node.pid));
      const idleStarted = performance.now();
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
      const idleCpu = nodes.map((node, i) => cpuMsFine(node.pid) - (idleBefore[i] ?? 0));
      const idleElapsed = (performance.now() - idleStarted) / 1000;
      // Counters over the measured stretch only (closedLoop calls beforeMeasuring after its warm-up).
      let before: { commands: number; reads: number }[] = [];
      let machineBefore = 0;
      let benchBefore = process.cpuUsage();
      const point = await closedLoop(send, {
        clients,
        seconds,
        warmup: 5,
        pids: ours.pids,
        beforeMeasuring: async () => {
          before = await counters(nodes);
          failedInWarmup = failed;
          machineBefore = machineBusyMs();
          benchBefore = process.cpuUsage();
        },
      });
      const machine = machineBusyMs() - machineBefore;
      const bench = process.cpuUsage(benchBefore);
      const after = await counters(nodes);
      const jobs = point.requests - (failed - failedInWarmup);
      const perJob = (ms: number | undefined) => (ms ?? 0) / Math.max(1, jobs);
      // closedLoop divides by every request (and adds their total); failed ones do not count here.
      const cpu = Object.fromEntries(
        Object.entries(point.cpuMsPerRequest).map(([name, ms]) => [name, ms * point.requests]),
      );
      const figures: ClusterNodeFigures[] = nodes.map((node, i) => ({
        node: node.name,
        role: node.role,
        slots: node.slots,
        cpuMsPerJob: perJob(cpu[node.name]),
        commandsPerJob: ((after[i]?.commands ?? 0) - (before[i]?.commands ?? 0)) / Math.max(1, jobs),
        readsPerJob: ((after[i]?.reads ?? 0) - (before[i]?.reads ?? 0)) / Math.max(1, jobs),
        idleCpuMsPerSecond: (idleCpu[i] ?? 0) / idleElapsed,
      }));
      const sum = (role: ClusterNodeFigures['role'] | undefined) =>
        figures.filter((node) => !role || node.role === role).reduce((total, node) => total + node.cpuMsPerJob, 0);
      const workerCpu = Object.entries(cpu)
        .filter(([name]) => name.startsWith('worker'))
        .reduce((total, [, ms]) => total + ms, 0);
      const logTrouble = trouble.flatMap((watch) => watch.lines);
      const result: ClusterPoint = {
        label,
        jobsPerSecond: jobs / point.seconds,
        p50Ms: point.p50Ms,
        p99Ms: point.p99Ms,
        failedJobs: failed,
        logErrors: logTrouble.length,
        // This bench process (the load generator) counts as ours.
        otherCpuCores:
          Math.max(0, machine - (cpu.total ?? 0) - (bench.user + bench.system) / 1000) / 1000 / point.seconds,
        apiCpuMsPerJob: perJob(cpu.api),
        workersCpuMsPerJob: perJob(workerCpu),
        redisCpuMsPerJob: sum(undefined),
        primariesCpuMsPerJob: sum('primary'),
        replicasCpuMsPerJob: sum('replica'),
        nodes: figures,
      };
      print(result);
      for (const failure of firstFailures) console.log(`  failed job: ${failure}`);
      for (const line of logTrouble.slice(0, 5)) console.log(`  log: ${line}`);
      return result;
    } finally {
      await ours.close();
    }
  };

  const sectionStarted = performance.now();
  const points: ClusterPoint[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'infer-bench-single-'));
  const single = await startLocalRedis({ dir, appendOnly: false });
  const singleNode: MeasuredNode = {
    name: 'redis',
    role: 'primary',
    slots: 'all',
    pid: single.process.pid as number,
    info: new Redis(single.url),
  };
  try {
    points.push(await measure('one Redis', { REDIS_URL: single.url }, [singleNode], {}));
  } finally {
    singleNode.info.disconnect();
    await single.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const cluster = await startLocalRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  const nodes: MeasuredNode[] = [];
  try {
    const primaries = (await cluster.primaries()).sort((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0));
    const add = (node: ClusterNode, name: string, role: MeasuredNode['role'], slots: string) =>
      nodes.push({ name, role, slots, pid: node.process.pid as number, info: new Redis(node.port, node.host) });
    primaries.forEach((primary, i) => {
      const slots = primary.slots.map(([start, end]) => `${start}-${end}`).join(', ');
      add(primary.node, `primary ${i + 1}`, 'primary', slots);
      for (const replica of primary.replicas) add(replica, `replica of ${i + 1}`, 'replica', slots);
    });
    // REDIS_URL gives only credentials and TLS with REDIS_CLUSTER_NODES: nothing may connect to it.
    const env = { REDIS_URL: 'redis://unused.invalid:6379', REDIS_CLUSTER_NODES: cluster.seeds };
    for (const shards of [1, 3] as const) {
      points.push(await measure(`Cluster, QUEUE_SHARDS=${shards}`, env, nodes, { QUEUE_SHARDS: String(shards) }));
    }
  } finally {
    for (const node of nodes) node.info.disconnect();
    await cluster.stop();
  }
  console.log(`cluster section: ${((performance.now() - sectionStarted) / 1000).toFixed(0)} s`);
  return { clients, workers, seconds, idleSeconds, batchMs, maxBatchSize, cores: availableParallelism(), points };
}

/**
 * The lines of a process's output that TROUBLE matches, from its start (its kept output) and
 * as they come: its kept output alone holds only the last ~200 KB, some seconds of access log.
 */
function watchForTrouble(service: ServiceProcess): { lines: string[] } {
  const watch = { lines: [] as string[] };
  const keep = (lines: string[]) => {
    for (const line of lines) if (TROUBLE.test(line)) watch.lines.push(`${service.name}: ${line.slice(0, 400)}`);
  };
  keep(service.logs.split('\n'));
  for (const stream of [service.child.stdout, service.child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      keep(lines);
    });
  }
  return watch;
}

/** Each node's commands run (on a replica: the replication stream it applies) and socket reads, so far. */
async function counters(nodes: MeasuredNode[]): Promise<{ commands: number; reads: number }[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const stats = await node.info.info('stats');
      return {
        commands: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1]),
        reads: Number(/total_reads_processed:(\d+)/.exec(stats)?.[1]),
      };
    }),
  );
}

function print(p: ClusterPoint): void {
  const f = (v: number) => v.toFixed(2);
  console.log(
    `${p.label}: ${p.jobsPerSecond.toFixed(0)} jobs/s, p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms (other processes on the machine used ${p.otherCpuCores.toFixed(2)} cores); CPU-ms per job: API ${f(p.apiCpuMsPerJob)}, workers ${f(p.workersCpuMsPerJob)}, Redis ${f(p.redisCpuMsPerJob)} (primaries ${f(p.primariesCpuMsPerJob)}, replicas ${f(p.replicasCpuMsPerJob)}); ${p.failedJobs} failed jobs, ${p.logErrors} error lines in the logs`,
  );
  for (const node of p.nodes) {
    console.log(
      `  ${node.node.padEnd(13)} slots ${node.slots.padEnd(16)} ${f(node.cpuMsPerJob)} CPU-ms/job, ${node.commandsPerJob.toFixed(1)} commands/job in ${node.readsPerJob.toFixed(1)} reads; idle ${node.idleCpuMsPerSecond.toFixed(1)} CPU-ms/s`,
    );
  }
}
