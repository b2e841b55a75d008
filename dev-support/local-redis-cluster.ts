import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { slotOfKey } from '@infer/redis';
import { freePort } from './free-port.ts';
import { hasRedisServer, REDIS_INSTALL_HINT } from './local-redis.ts';
import { ask, type RedisAddress, waitFor } from './redis-probe.ts';

const SLOT_COUNT = 16384;

export type { RedisAddress };

/** One redis-server of the cluster; whether it is a primary or a replica changes with failovers. */
export interface ClusterNode extends RedisAddress {
  url: string;
  /** Its cluster bus port (set explicitly: the default, port + 10000, is past 65535 for most free ports). */
  busPort: number;
  /** Whether its process is running now (false after killPrimary until restart). */
  running: boolean;
  /** The redis-server process now (a new one after restart). */
  process: ChildProcess;
  /** Its stdout and stderr, kept across restarts. */
  logFile: string;
}

/** A primary as a live node's CLUSTER SLOTS reports it, with its inclusive slot ranges. */
export interface ClusterPrimary {
  node: ClusterNode;
  slots: [start: number, end: number][];
  replicas: ClusterNode[];
}

/** A primary as it was when killPrimary SIGKILLed it. */
export interface KilledPrimary extends ClusterPrimary {
  killedAt: number;
}

export interface LocalRedisCluster {
  nodes: ClusterNode[];
  /** `REDIS_CLUSTER_NODES` for every node: `127.0.0.1:p1,127.0.0.1:p2,...`. */
  seeds: string;
  seedList: RedisAddress[];
  /** The primaries now, as the first live node that answers sees them. */
  primaries: () => Promise<ClusterPrimary[]>;
  ownerOfSlot: (slot: number) => Promise<ClusterNode>;
  ownerOfKey: (key: string) => Promise<ClusterNode>;
  /** SIGKILL a primary: `node`, or by default the one serving slot 0. */
  killPrimary: (node?: ClusterNode) => Promise<KilledPrimary>;
  /**
   * Resolves once one of the killed primary's replicas answers ROLE as master and every live
   * node reports cluster_state:ok and names it as the owner of the killed primary's slots.
   * `elapsedMs` counts from the kill.
   */
  waitForFailover: (killed: KilledPrimary, timeoutMs?: number) => Promise<{ primary: ClusterNode; elapsedMs: number }>;
  /** Start a killed node again with its nodes.conf; resolves once it is a replica in sync that every live node lists. */
  restart: (node: ClusterNode) => Promise<void>;
  /** SIGKILL every node and delete the temporary directory. */
  stop: () => Promise<void>;
}

export interface LocalRedisClusterOptions {
  /** At least 3: redis-cli --cluster create refuses fewer. */
  primaries?: number;
  replicasPerPrimary?: number;
  /** How long a primary must be unreachable before it is called failed; failover follows ~1-2 s later. */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node (`['--maxmemory', '64mb']`), appended last so they win. */
  extraConfig?: string[];
}

/**
 * A private Redis Cluster on 127.0.0.1 for tests and benchmarks: `primaries` primaries with
 * `replicasPerPrimary` replicas each, one spawned redis-server per node (so a test can SIGKILL
 * one), each with its data, nodes.conf and log in a temporary directory. With the default
 * node timeout of 2 s a replica takes over some 2-5 s after its primary is killed.
 */
export async function startLocalRedisCluster(options: LocalRedisClusterOptions = {}): Promise<LocalRedisCluster> {
  if (!hasRedisServer()) throw new Error(REDIS_INSTALL_HINT);
  const primaryCount = options.primaries ?? 3;
  const replicasPerPrimary = options.replicasPerPrimary ?? 1;
  if (primaryCount < 3) throw new Error('a Redis Cluster needs at least 3 primaries');
  const root = mkdtempSync(path.join(tmpdir(), 'infer-redis-cluster-'));
  const host = '127.0.0.1';
  // Each node listens on two ports, for clients and for the cluster bus: all distinct.
  const taken = new Set<number>();
  const unusedPort = async () => {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    return port;
  };

  const spawnNode = ({ port, busPort, logFile }: Pick<ClusterNode, 'port' | 'busPort' | 'logFile'>) => {
    const dir = path.dirname(logFile);
    const args = [
      ...['--port', String(port), '--bind', host, '--dir', dir, '--save', '', '--appendonly', 'no'],
      ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
      // Kept across restart: with it a killed primary comes back knowing the cluster, sees its
      // slots owned by a newer epoch and turns into a replica of the node that took them over.
      ...['--cluster-config-file', path.join(dir, 'nodes.conf')],
      ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2000)],
      // Any replica may be promoted, however long it has been cut off from its primary.
      ...['--cluster-replica-validity-factor', '0'],
      // The other primaries' slots stay writable while one primary is down (with the default,
      // yes, every node refuses every command from when it is marked failed until the failover).
      ...['--cluster-require-full-coverage', 'no'],
      // A full sync otherwise waits 5 s for more replicas to share the transfer.
      ...['--repl-diskless-sync-delay', '0'],
      // CLUSTER SLOTS (so a client's slot map) leaves out a replica while its replication offset
      // is 0, and with no writes only the primary's PINGs to replicas move it: every 10 s by default.
      ...['--repl-ping-replica-period', '1'],
      ...(options.extraConfig ?? []),
    ];
    const log = openSync(logFile, 'a');
    try {
      return spawn('redis-server', args, { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log); // the child has its own copy of the descriptor
    }
  };

  const nodes: ClusterNode[] = [];
  const answersPing = async (node: ClusterNode) => {
    await waitFor(`${node.url} to answer PING`, 10_000, async () => {
      const { exitCode, signalCode } = node.process;
      if (exitCode !== null || signalCode !== null) throw new Error(`${node.url} exited (${exitCode ?? signalCode})`);
      return (await ask(node, ['ping'])) === 'PONG';
    });
  };

  const killNode = async (node: ClusterNode) => {
    node.running = false;
    const child = node.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  // A test process that ends without stop() (a failed hook, a killed vitest worker) must not
  // leave redis-servers running.
  const killAllOnExit = () => {
    for (const node of nodes) node.process.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', killAllOnExit);

  const stop = async () => {
    process.off('exit', killAllOnExit);
    await Promise.all(nodes.map(killNode));
    rmSync(root, { recursive: true, force: true });
  };

  const nodeAt = (port: number) => nodes.find((node) => node.port === port);

  /** A node's CLUSTER SLOTS, grouped by primary; undefined if it does not answer or names an unknown node. */
  const slotsAsSeenBy = async (node: ClusterNode): Promise<ClusterPrimary[] | undefined> => {
    const reply = await ask(node, ['cluster', 'slots']);
    if (!Array.isArray(reply)) return undefined;
    const byPrimary = new Map<ClusterNode, ClusterPrimary>();
    // Each entry: [start, end, [host, port, id, ...] of the primary, ...the same for each replica].
    for (const [start, end, primaryEntry, ...replicaEntries] of reply as [number, number, ...unknown[][]][]) {
      const primary = nodeAt(Number(primaryEntry?.[1]));
      const replicas = replicaEntries.map((entry) => nodeAt(Number(entry[1])));
      if (!primary || replicas.includes(undefined)) return undefined;
      const known = byPrimary.get(primary) ?? { node: primary, slots: [], replicas: replicas as ClusterNode[] };
      known.slots.push([start, end]);
      byPrimary.set(primary, known);
    }
    return [...byPrimary.values()];
  };

  const stateIsOk = async (node: ClusterNode) => /cluster_state:ok/.test(String(await ask(node, ['cluster', 'info'])));
  const replicaInSync = async (node: ClusterNode) => {
    const info = String(await ask(node, ['info', 'replication']));
    return /role:slave/.test(info) && /master_link_status:up/.test(info);
  };

  /** Every node runs, sees all slots served by `primaryCount` primaries with their replicas, and replicas are in sync. */
  const isWhole = async () => {
    for (const node of nodes) {
      if (!(await stateIsOk(node))) return false;
      const view = await slotsAsSeenBy(node);
      if (!view || view.length !== primaryCount || slotCount(view) !== SLOT_COUNT) return false;
      if (view.some((primary) => primary.replicas.length !== replicasPerPrimary)) return false;
      for (const replica of view.flatMap((primary) => primary.replicas)) {
        if (!(await replicaInSync(replica))) return false;
      }
    }
    return true;
  };

  const primaries = async (): Promise<ClusterPrimary[]> => {
    for (const node of nodes.filter((candidate) => candidate.running)) {
      const view = await slotsAsSeenBy(node);
      if (view) return view;
    }
    throw new Error('no live cluster node answers CLUSTER SLOTS');
  };

  const ownerOfSlot = async (slot: number): Promise<ClusterNode> => {
    const owner = (await primaries()).find((primary) => serves(primary, slot));
    if (!owner) throw new Error(`no primary serves slot ${slot}`);
    return owner.node;
  };

  try {
    for (let index = 0; index < primaryCount * (1 + replicasPerPrimary); index++) {
      const [port, busPort] = [await unusedPort(), await unusedPort()];
      const dir = path.join(root, String(port));
      mkdirSync(dir);
      const address = { host, port, busPort, url: `redis://${host}:${port}`, logFile: path.join(dir, 'redis.log') };
      nodes.push({ ...address, running: true, process: spawnNode(address) });
    }
    await Promise.all(nodes.map(answersPing));
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    const replicasOption = ['--cluster-replicas', String(replicasPerPrimary)];
    const create = ['--cluster', 'create', ...addresses, ...replicasOption, '--cluster-yes'];
    await promisify(execFile)('redis-cli', create, { timeout: 60_000 }).catch((error) => {
      throw new Error(`redis-cli --cluster create: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    await waitFor('every node to report the whole cluster', 30_000, isWhole);
  } catch (error) {
    const message = `${(error as Error).message}\n${logTails(nodes)}`;
    await stop();
    throw new Error(message, { cause: error });
  }

  return {
    nodes,
    seeds: nodes.map((node) => `${node.host}:${node.port}`).join(','),
    seedList: nodes.map(({ host, port }) => ({ host, port })),
    primaries,
    ownerOfSlot,
    ownerOfKey: (key) => ownerOfSlot(slotOfKey(key)),
    async killPrimary(node) {
      const current = await primaries();
      const target = current.find((primary) => (node ? primary.node === node : serves(primary, 0)));
      if (!target) throw new Error(`${node?.url ?? 'slot 0'}: no such primary now`);
      const killedAt = Date.now();
      await killNode(target.node);
      return { ...target, killedAt };
    },
    async waitForFailover(killed, timeoutMs = 20_000) {
      let promoted: ClusterNode | undefined;
      await waitFor(`a replica of ${killed.node.url} to take over its slots`, timeoutMs, async () => {
        const owners = new Set<ClusterNode | undefined>();
        for (const node of nodes.filter((candidate) => candidate.running)) {
          if (!(await stateIsOk(node))) return false;
          const view = await slotsAsSeenBy(node);
          // A range moves whole in a failover, so its first slot stands for it.
          for (const [start] of killed.slots) owners.add(view?.find((primary) => serves(primary, start))?.node);
        }
        const [owner] = owners;
        if (owners.size !== 1 || !owner || !killed.replicas.includes(owner)) return false;
        const role = await ask(owner, ['role']);
        if (!Array.isArray(role) || role[0] !== 'master') return false;
        promoted = owner;
        return true;
      });
      return { primary: promoted as ClusterNode, elapsedMs: Date.now() - killed.killedAt };
    },
    async restart(node) {
      if (node.running) throw new Error(`${node.url} is running`);
      node.process = spawnNode(node);
      node.running = true;
      const rejoined = async () => {
        if (!(await replicaInSync(node))) return false;
        // And every live node lists it again (it was flagged failed): a client's slot refresh sees it.
        for (const other of nodes.filter((candidate) => candidate.running)) {
          const view = await slotsAsSeenBy(other);
          if (!view?.some((primary) => primary.replicas.includes(node))) return false;
        }
        return true;
      };
      try {
        await answersPing(node);
        await waitFor(`${node.url} to rejoin as a replica`, 30_000, rejoined);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${logTails([node])}`, { cause: error });
      }
    },
    stop,
  };
}

function serves(primary: ClusterPrimary, slot: number): boolean {
  return primary.slots.some(([start, end]) => start <= slot && slot <= end);
}

function slotCount(primaries: ClusterPrimary[]): number {
  return primaries.flatMap((primary) => primary.slots).reduce((sum, [start, end]) => sum + end - start + 1, 0);
}

function logTails(nodes: ClusterNode[], lines = 15): string {
  return nodes
    .map((node) => {
      const tail = readFileSync(node.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${node.url} (${node.logFile}) ---\n${tail}`;
    })
    .join('\n');
}
