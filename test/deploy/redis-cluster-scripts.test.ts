/**
 * The redis-cluster component's scripts, run for real: six redis-server nodes on 127.0.0.1, each
 * started by start-redis.sh with the StatefulSet's arguments (the data directory, ports and
 * announced hostname swapped for local ones), joined by bootstrap.sh as the Job runs it (the node
 * list from REDIS_CLUSTER_NODES). Then the bootstrap again, which must create nothing, and a
 * restart of every node with every address in the nodes files stale, as after all pods of the
 * StatefulSet came back with new IPs.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { hasRedisServer, REDIS_INSTALL_HINT } from '../../dev-support/local-redis.ts';
import { build, containersOf, isObject, type KObject, podSpecs } from './lib/kustomize.ts';
import { fromRoot } from './lib/repo.ts';

const run = promisify(execFile);

const objects = build(fromRoot('k8s', 'overlays', 'dev'), ['../../components/redis-cluster']);
const named = (kind: string, name: string): KObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`the redis-cluster component renders no ${kind} ${name}`);
  return found;
};
const scripts = named('ConfigMap', 'infer-redis-cluster-scripts').data as Record<string, string>;
const statefulSet = named('StatefulSet', 'infer-redis-cluster');
const container = containersOf(podSpecs(statefulSet)[0] ?? {})[0] ?? {};
const statefulSetArgs = container.args as string[];
const dataMount = String(
  (container.volumeMounts as unknown[]).filter(isObject).find((mount) => mount.name === 'data')?.mountPath,
);
const nodeCount = Number((statefulSet.spec as { replicas: number }).replicas);

// An address no node listens on (they bind 127.0.0.1): a node's old IP after a restart.
const STALE_IP = '127.0.0.99';

interface Node {
  port: number;
  busPort: number;
  dir: string;
  process?: ChildProcess;
}

interface ClusterNodeLine {
  id: string;
  address: string;
  flags: string[];
  primaryId: string;
  link: string;
  slots: string[];
}

describe("the redis-cluster component's scripts, run against six local redis-server nodes", () => {
  let root: string;
  let scriptDir: string;
  let cliLog: string;
  const nodes: Node[] = [];
  const killAll = () => {
    for (const node of nodes) node.process?.kill('SIGKILL');
  };

  /** The StatefulSet's arguments for a local node: its directory, its ports, `localhost` as its name. */
  const argsOf = (node: Node): string[] => [
    ...statefulSetArgs.map((arg, i) =>
      statefulSetArgs[i - 1] === '--cluster-announce-hostname'
        ? 'localhost'
        : arg === dataMount || arg.startsWith(`${dataMount}/`)
          ? node.dir + arg.slice(dataMount.length)
          : arg,
    ),
    // Free ports (the default bus port, port + 10000, is past 65535 for most of them); `-::1`
    // in case `localhost` resolves to the IPv6 loopback here.
    ...['--port', String(node.port), '--cluster-port', String(node.busPort), '--bind', '127.0.0.1', '-::1'],
    // A primary reports cluster_state:ok only a node timeout (at most 5 s) after it could: shorter
    // here, to keep the test short.
    ...['--cluster-node-timeout', '2000'],
  ];

  const start = (node: Node) => {
    const log = openSync(path.join(node.dir, 'redis.log'), 'a');
    try {
      node.process = spawn('sh', [path.join(scriptDir, 'start-redis.sh'), ...argsOf(node)], {
        stdio: ['ignore', log, log],
        env: { ...process.env, RESOLVE_WAIT_SECONDS: '5' },
      });
    } finally {
      closeSync(log);
    }
  };

  const stop = async (node: Node) => {
    const child = node.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };

  const logTails = () =>
    nodes
      .map((node) => {
        const tail = readFileSync(path.join(node.dir, 'redis.log'), 'utf8').trimEnd().split('\n').slice(-8);
        return `--- ${node.port} ---\n${tail.join('\n')}`;
      })
      .join('\n');

  const cli = async (node: Node, ...command: string[]): Promise<string> => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(node.port), ...command], {
      timeout: 5000,
    });
    return stdout.replaceAll('\r', '');
  };

  const clusterNodes = async (node: Node): Promise<ClusterNodeLine[]> =>
    (await cli(node, 'cluster', 'nodes'))
      .trim()
      .split('\n')
      .map((line) => {
        const [id = '', address = '', flags = '', primaryId = '', , , , link = '', ...slots] = line.split(' ');
        return { id, address, flags: flags.split(','), primaryId, link, slots };
      });

  /** Bootstrap as the Job runs it; the redis-cli calls it makes are logged. */
  const bootstrap = async (): Promise<{ output: string; calls: string[] }> => {
    writeFileSync(cliLog, '');
    const seeds = nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
    try {
      const { stdout, stderr } = await run('sh', [path.join(scriptDir, 'bootstrap.sh')], {
        env: {
          ...process.env,
          PATH: `${path.join(root, 'bin')}:${process.env.PATH ?? ''}`,
          REDIS_CLI_LOG: cliLog,
          REDIS_CLUSTER_NODES: seeds,
          WAIT_SECONDS: '20',
        },
        timeout: 40_000,
      });
      return { output: stdout + stderr, calls: readFileSync(cliLog, 'utf8').trim().split('\n') };
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`bootstrap.sh failed: ${(error as Error).message}\n${stdout}${stderr}\n${logTails()}`);
    }
  };

  /** Whether the StatefulSet's readiness probe (ready.sh) passes on a node. */
  const ready = (node: Node): Promise<boolean> =>
    run('sh', [path.join(scriptDir, 'ready.sh')], {
      env: {
        ...process.env,
        PATH: `${path.join(root, 'bin-probe')}:${process.env.PATH ?? ''}`,
        NODE_PORT: String(node.port),
      },
      timeout: 10_000,
    }).then(
      () => true,
      () => false,
    );

  /** Every node: cluster_state:ok, and all six linked: three primaries serving every slot, a replica each in sync. */
  const whole = async (): Promise<boolean> => {
    for (const node of nodes) {
      if (!(await cli(node, 'cluster', 'info')).includes('cluster_state:ok')) return false;
      const view = await clusterNodes(node);
      if (view.length !== nodeCount) return false;
      if (view.some((line) => line.link !== 'connected' || line.flags.some((f) => f.startsWith('fail')))) return false;
      const primaries = view.filter((line) => line.flags.includes('master'));
      const replicas = view.filter((line) => line.flags.includes('slave'));
      if (primaries.length !== 3 || replicas.length !== 3) return false;
      const served = primaries
        .flatMap((line) => line.slots)
        .reduce((sum, range) => {
          const [from, to = from] = range.split('-').map(Number) as [number, number?];
          return sum + to - from + 1;
        }, 0);
      if (served !== 16384) return false;
      const replicated = new Set(replicas.map((line) => line.primaryId));
      if (replicated.size !== 3 || primaries.some((line) => !replicated.has(line.id))) return false;
      const replication = await cli(node, 'info', 'replication');
      if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
    }
    return true;
  };

  const waitUntilWhole = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await whole().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`the cluster is not whole after ${timeoutMs} ms\n${logTails()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /** Who is who: each node's id, role and primary, as the first node sees them. */
  const topology = async () =>
    (await clusterNodes(nodes[0] as Node))
      .map((line) => `${line.id} ${line.flags.filter((f) => f !== 'myself').join(',')} ${line.primaryId}`)
      .sort();

  beforeAll(async () => {
    if (!hasRedisServer()) throw new Error(REDIS_INSTALL_HINT);
    root = mkdtempSync(path.join(tmpdir(), 'infer-k8s-redis-cluster-'));
    process.once('exit', killAll);
    scriptDir = path.join(root, 'scripts');
    mkdirSync(scriptDir);
    for (const [name, text] of Object.entries(scripts)) writeFileSync(path.join(scriptDir, name), text);
    // redis-cli on the bootstrap's PATH logs each call, then runs the real one.
    cliLog = path.join(root, 'redis-cli.log');
    const realCli = execFileSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' }).trim();
    mkdirSync(path.join(root, 'bin'));
    const shim = path.join(root, 'bin', 'redis-cli');
    writeFileSync(shim, `#!/bin/sh\nprintf '%s\\n' "$*" >> "$REDIS_CLI_LOG"\nexec ${realCli} "$@"\n`);
    chmodSync(shim, 0o755);
    // For the readiness probe, which asks its own pod's port 6379: the node's port instead.
    mkdirSync(path.join(root, 'bin-probe'));
    const probeShim = path.join(root, 'bin-probe', 'redis-cli');
    writeFileSync(
      probeShim,
      `#!/bin/sh\n[ "$1 $2" = "-p 6379" ] && shift 2\nexec ${realCli} -h 127.0.0.1 -p "$NODE_PORT" "$@"\n`,
    );
    chmodSync(probeShim, 0o755);
    const taken = new Set<number>();
    const unusedPort = async () => {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      return port;
    };
    for (let i = 0; i < nodeCount; i++) {
      const node: Node = { port: await unusedPort(), busPort: await unusedPort(), dir: path.join(root, `node-${i}`) };
      mkdirSync(node.dir);
      nodes.push(node);
    }
    // Started, not waited for: the bootstrap waits until every node answers PING.
    for (const node of nodes) start(node);
  });

  afterAll(async () => {
    process.off('exit', killAll);
    killAll();
    await Promise.all(nodes.map(stop));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('runs six nodes and bootstraps them into three primaries with a replica each', async () => {
    expect(nodeCount).toBe(6);
    // A lone node answers but is not ready (a rolling update would wait for it).
    const first = nodes[0] as Node;
    await expect.poll(() => cli(first, 'ping').catch(() => ''), { timeout: 10_000 }).toContain('PONG');
    expect(await ready(first)).toBe(false);
    const { output, calls } = await bootstrap();
    expect(output).toContain('no node knows another: creating the cluster');
    expect(output).toContain('cluster_state:ok on every node');
    expect(calls.filter((call) => call.startsWith('--cluster create'))).toHaveLength(1);
    await waitUntilWhole(15_000);
    // Every node announces the hostname it was given, and clients are sent to it.
    for (const node of nodes) {
      const view = await clusterNodes(node);
      expect(view.every((line) => line.address.endsWith(',localhost'))).toBe(true);
      const shards = (await cli(node, 'cluster', 'shards')).split('\n');
      const endpoints = shards.flatMap((line, i) => (line === 'endpoint' ? [shards[i + 1]] : []));
      expect(endpoints).toEqual(Array(6).fill('localhost'));
      expect(await ready(node)).toBe(true);
    }
  });

  it('creates nothing when run again on the formed cluster', async () => {
    const before = await topology();
    const epoch = (await cli(nodes[0] as Node, 'cluster', 'info')).match(/cluster_current_epoch:(\d+)/)?.[1];
    const { output, calls } = await bootstrap();
    expect(output).toContain('cluster already formed');
    expect(output).toContain('cluster_state:ok on every node');
    expect(calls.some((call) => call.includes('--cluster'))).toBe(false);
    expect(calls.every((call) => /(^| )(ping|cluster info)$/.test(call))).toBe(true);
    expect(await topology()).toEqual(before);
    expect((await cli(nodes[0] as Node, 'cluster', 'info')).match(/cluster_current_epoch:(\d+)/)?.[1]).toBe(epoch);
  });

  it('comes back whole when every node restarts with every address in its nodes file stale', async () => {
    const before = await topology();
    await Promise.all(nodes.map(stop));
    // As after all pods restarted with new IPs: each node file names the old ones.
    const nodesFile = (node: Node) => path.join(node.dir, 'nodes.conf');
    for (const node of nodes) {
      const text = readFileSync(nodesFile(node), 'utf8');
      expect(text).toMatch(/ 127\.0\.0\.1:\d+@\d+,localhost /);
      writeFileSync(nodesFile(node), text.replaceAll(/ 127\.0\.0\.1:(\d+@\d+,)/g, ` ${STALE_IP}:$1`));
    }
    for (const node of nodes) start(node);
    await waitUntilWhole(15_000);
    for (const node of nodes) {
      const addresses = (await clusterNodes(node)).map((line) => line.address);
      expect(addresses.filter((address) => address.startsWith(`${STALE_IP}:`))).toEqual([]);
    }
    expect(await topology()).toEqual(before);
    const { output, calls } = await bootstrap();
    expect(output).toContain('cluster already formed');
    expect(calls.some((call) => call.includes('--cluster'))).toBe(false);
  });
});
