import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTAINERS_CONF } from './podman.ts';

/** Does a Docker-compatible API answer `GET /_ping` on this unix socket? */
function pings(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts podman's Docker-compatible API (`podman system service`) on a private unix socket unless DOCKER_HOST is set, and points testcontainers at it (DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED=true). Resolves with a function that stops what it started. */
export async function useDockerHost(): Promise<() => Promise<void>> {
  const before = {
    DOCKER_HOST: process.env.DOCKER_HOST,
    TESTCONTAINERS_RYUK_DISABLED: process.env.TESTCONTAINERS_RYUK_DISABLED,
  };
  const restore = () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  // Ryuk, testcontainers' reaper, is an image pulled from a registry: out of reach here, so
  // every test removes its own containers.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  if (before.DOCKER_HOST) return async () => restore();

  const dir = mkdtempSync(path.join(tmpdir(), 'podman-api-'));
  const socket = path.join(dir, 'podman.sock');
  // --time=0: serve until stopped, however long a build or a test is quiet.
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: { ...process.env, CONTAINERS_CONF },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  service.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const stop = async () => {
    restore();
    if (service.exitCode === null && service.signalCode === null) {
      service.kill('SIGTERM');
      const killer = setTimeout(() => service.kill('SIGKILL'), 10_000);
      await exited(service);
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  while (!(await pings(socket))) {
    if (service.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not answer on ${socket}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.env.DOCKER_HOST = `unix://${socket}`;
  return stop;
}
