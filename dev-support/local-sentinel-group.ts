import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { hasRedisServer, REDIS_INSTALL_HINT } from './local-redis.ts';
import { ask, type RedisAddress, waitFor } from './redis-probe.ts';

export type { RedisAddress };

/** One redis-server of the group: the first is the primary at start, the others its replicas. */
export interface GroupNode extends RedisAddress {
  name: string;
  url: string;
  /** Whether its process is running now (false after killPrimary until restart). */
  running: boolean;
}

export interface LocalSentinelGroup {
  /** The master group name sentinels monitor (`REDIS_SENTINEL_NAME`). */
  name: string;
  nodes: GroupNode[];
  sentinels: RedisAddress[];
  /** `REDIS_SENTINELS` for these sentinels: `127.0.0.1:p1,127.0.0.1:p2,...`. */
  sentinelList: string;
  /** The primary as a sentinel reports it now. */
  currentPrimary: () => Promise<GroupNode>;
  /** SIGKILL the current primary (as the sentinels know it); returns it and the moment of the kill. */
  killPrimary: () => Promise<{ node: GroupNode; killedAt: number }>;
  /**
   * Start a killed node again on its address as a replica of the primary a sentinel names now,
   * as a Sentinel-aware start script does (left alone, a crashed primary restarts as an empty
   * primary and the sentinels demote it only some 10-15 s later). Resolves once it replicates
   * and every sentinel lists it as a healthy replica.
   */
  restart: (node: GroupNode) => Promise<void>;
  /** Poll the sentinels until one names a primary other than `previous`, and that node answers as master. */
  waitForNewPrimary: (previous: GroupNode, timeoutMs?: number) => Promise<GroupNode>;
  /** `SENTINEL SET <name> <option> <value>` on every sentinel (e.g. a longer down-after-milliseconds). */
  setSentinelOption: (option: string, value: string) => Promise<void>;
  /** Stop every process and delete the temporary directory. */
  stop: () => Promise<void>;
}

export interface LocalSentinelGroupOptions {
  replicas?: number;
  sentinels?: number;
  name?: string;
  /** How long a primary must be unreachable before a sentinel calls it down. */
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  /** Sentinels that must agree the primary is down; default a majority. */
  quorum?: number;
}

/**
 * A private Sentinel deployment on 127.0.0.1 for tests: a primary, `replicas` replicas
 * (`--replicaof`) and `sentinels` sentinels (`redis-server <conf> --sentinel`, the same
 * binary as Debian's redis-server package ships), each on a free port with its data in a
 * temporary directory. Defaults are short (down after 1 s) so a failover takes seconds.
 */
export async function startLocalSentinelGroup(options: LocalSentinelGroupOptions = {}): Promise<LocalSentinelGroup> {
  if (!hasRedisServer()) throw new Error(REDIS_INSTALL_HINT);
  const replicaCount = options.replicas ?? 2;
  const sentinelCount = options.sentinels ?? 3;
  const name = options.name ?? 'mymaster';
  const quorum = options.quorum ?? Math.floor(sentinelCount / 2) + 1;
  const root = mkdtempSync(path.join(tmpdir(), 'infer-sentinel-group-'));
  const processes = new Map<string, ChildProcess>();
  const host = '127.0.0.1';

  const nodes: GroupNode[] = [];
  for (let index = 0; index <= replicaCount; index++) {
    const port = await freePort();
    nodes.push({ name: `node-${index}`, host, port, url: `redis://${host}:${port}`, running: false });
  }
  const primary = nodes[0] as GroupNode;

  const startNode = async (node: GroupNode, replicaOf?: GroupNode) => {
    const dir = path.join(root, node.name);
    mkdirSync(dir, { recursive: true });
    const args = [
      '--port',
      String(node.port),
      '--bind',
      host,
      '--dir',
      dir,
      '--appendonly',
      'no',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      // A full sync otherwise waits 5 s for more replicas to share the transfer.
      '--repl-diskless-sync-delay',
      '0',
      '--loglevel',
      'warning',
      ...(replicaOf ? ['--replicaof', replicaOf.host, String(replicaOf.port)] : []),
    ];
    processes.set(node.name, spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] }));
    node.running = true;
    await waitFor(`${node.name} answers PING`, 10_000, async () => (await ask(node, ['ping'])) === 'PONG');
  };

  // Ports and ids first: each sentinel's configuration names the others and the replicas
  // (`known-sentinel`, `known-replica`), so the group is whole at once instead of after the
  // seconds of hello messages and INFO polls discovery takes.
  const sentinels: (RedisAddress & { id: string })[] = [];
  for (let index = 0; index < sentinelCount; index++) {
    sentinels.push({ host, port: await freePort(), id: randomBytes(20).toString('hex') });
  }
  const startSentinel = async (index: number) => {
    const self = sentinels[index] as RedisAddress & { id: string };
    const dir = path.join(root, `sentinel-${index}`);
    mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'sentinel.conf');
    // Sentinel rewrites its configuration file as it learns the group, so each has its own.
    writeFileSync(
      config,
      [
        `port ${self.port}`,
        `bind ${host}`,
        `dir ${dir}`,
        'loglevel warning',
        `sentinel myid ${self.id}`,
        `sentinel monitor ${name} ${primary.host} ${primary.port} ${quorum}`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
        `sentinel parallel-syncs ${name} 1`,
        ...nodes.slice(1).map((replica) => `sentinel known-replica ${name} ${replica.host} ${replica.port}`),
        ...sentinels
          .filter((other) => other !== self)
          .map((other) => `sentinel known-sentinel ${name} ${other.host} ${other.port} ${other.id}`),
        '',
      ].join('\n'),
    );
    processes.set(
      `sentinel-${index}`,
      spawn('redis-server', [config, '--sentinel'], { stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    await waitFor(`sentinel-${index} answers PING`, 10_000, async () => (await ask(self, ['ping'])) === 'PONG');
  };

  const stopProcess = async (key: string, signal: NodeJS.Signals) => {
    const child = processes.get(key);
    processes.delete(key);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await Promise.race([exited, delay(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  // A test process that ends without stop() (a failed hook, a killed vitest worker) must not
  // leave sentinels behind that go on failing over an orphaned group.
  const killAllOnExit = () => {
    for (const child of processes.values()) child.kill('SIGKILL');
  };
  process.once('exit', killAllOnExit);

  const stop = async () => {
    process.off('exit', killAllOnExit);
    await Promise.all([...processes.keys()].map((key) => stopProcess(key, 'SIGTERM')));
    for (const node of nodes) node.running = false;
    rmSync(root, { recursive: true, force: true });
  };

  const primaryFromSentinels = async (): Promise<GroupNode | undefined> => {
    for (const sentinel of sentinels) {
      const reply = await ask(sentinel, ['sentinel', 'get-master-addr-by-name', name]);
      if (Array.isArray(reply)) {
        const node = nodes.find((candidate) => candidate.host === reply[0] && candidate.port === Number(reply[1]));
        if (node) return node;
      }
    }
    return undefined;
  };

  const currentPrimary = async (): Promise<GroupNode> => {
    const node = await primaryFromSentinels();
    if (!node) throw new Error(`no sentinel names a primary for ${name}`);
    return node;
  };

  const roleOf = async (node: GroupNode): Promise<string | undefined> => {
    const info = await ask(node, ['info', 'replication']);
    return typeof info === 'string' ? /role:(\w+)/.exec(info)?.[1] : undefined;
  };

  try {
    await startNode(primary);
    for (const replica of nodes.slice(1)) await startNode(replica, primary);
    for (const replica of nodes.slice(1)) {
      await waitFor(`${replica.name} in sync`, 10_000, async () =>
        /master_link_status:up/.test(String(await ask(replica, ['info', 'replication']))),
      );
    }
    for (let index = 0; index < sentinelCount; index++) await startSentinel(index);
    // Ready when every sentinel knows every replica and the other sentinels (a failover needs both).
    await waitFor('sentinels to discover the group', 20_000, async () => {
      for (const sentinel of sentinels) {
        const master = await ask(sentinel, ['sentinel', 'master', name]);
        if (!Array.isArray(master)) return false;
        const fields = pairs(master);
        if (Number(fields['num-slaves']) < replicaCount) return false;
        if (Number(fields['num-other-sentinels']) < sentinelCount - 1) return false;
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name,
    nodes,
    sentinels: sentinels.map(({ host, port }) => ({ host, port })),
    sentinelList: sentinels.map((sentinel) => `${sentinel.host}:${sentinel.port}`).join(','),
    currentPrimary,
    async killPrimary() {
      const node = await currentPrimary();
      const killedAt = Date.now();
      await stopProcess(node.name, 'SIGKILL');
      node.running = false;
      return { node, killedAt };
    },
    async restart(node) {
      if (node.running) throw new Error(`${node.name} is running`);
      await startNode(node, await currentPrimary());
      await waitFor(`${node.name} to rejoin as a replica`, 30_000, async () => {
        const info = String(await ask(node, ['info', 'replication']));
        if (!/role:slave/.test(info) || !/master_link_status:up/.test(info)) return false;
        // And every sentinel counts it as a healthy replica again: a later failover may pick it.
        for (const sentinel of sentinels) {
          const replicas = await ask(sentinel, ['sentinel', 'replicas', name]);
          if (!Array.isArray(replicas)) return false;
          const entry = replicas.map((fields) => pairs(fields as unknown[])).find((r) => Number(r.port) === node.port);
          if (!entry || /s_down|o_down|disconnected/.test(entry.flags ?? '')) return false;
        }
        return true;
      });
    },
    async waitForNewPrimary(previous, timeoutMs = 30_000) {
      let found: GroupNode | undefined;
      await waitFor('a new primary', timeoutMs, async () => {
        const node = await primaryFromSentinels();
        if (!node || node === previous) return false;
        if ((await roleOf(node)) !== 'master') return false;
        found = node;
        return true;
      });
      return found as GroupNode;
    },
    async setSentinelOption(option, value) {
      for (const sentinel of sentinels) {
        const reply = await ask(sentinel, ['sentinel', 'set', name, option, value]);
        if (reply !== 'OK') throw new Error(`SENTINEL SET ${option} ${value}: ${String(reply)}`);
      }
    },
    stop,
  };
}

function pairs(flat: unknown[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) result[String(flat[index])] = String(flat[index + 1]);
  return result;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
