import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTAINERS_CONF } from './podman.ts';

/** Does the Docker-compatible API answer on this unix socket? */
function pings(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ping = request({ socketPath, path: '/_ping', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    ping.on('error', () => resolve(false));
    ping.on('timeout', () => ping.destroy());
    ping.end();
  });
}

/**
 * Starts podman's Docker-compatible API (`podman system service`) on a private unix socket unless
 * DOCKER_HOST is set, and points testcontainers at it (DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED=true,
 * TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1). Resolves with a function that stops what it started.
 */
export async function useDockerHost(): Promise<() => Promise<void>> {
  // Ryuk, testcontainers' reaper, is an image from Docker Hub, out of reach here; the suites
  // remove what they start themselves. An explicit TESTCONTAINERS_RYUK_DISABLED=false still wins.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (process.env.DOCKER_HOST) return async () => {};

  const dir = await mkdtemp(path.join(tmpdir(), 'infer-podman-'));
  const socketPath = path.join(dir, 'podman.sock');
  // --time=0: no idle timeout; the service lives until the returned function stops it.
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], {
    env: { ...process.env, CONTAINERS_CONF },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  service.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    const end = () => {
      ended = true;
      resolve();
    };
    service.on('close', end);
    // No podman on PATH: 'error', and no 'close' to wait for.
    service.on('error', (error) => {
      stderr += error.message;
      end();
    });
  });
  // The published ports of a podman started here are on this machine's loopback. testcontainers
  // would otherwise, on a machine that is itself a container (/.dockerenv, as CI sandboxes are),
  // take a unix socket for the host's engine seen from a container and connect to the gateway of
  // podman's default network, 10.88.0.1: an address that exists only while some container is on
  // that network (never a Compose project's, which has a network of its own), so every host-port
  // wait timed out ("Port ... not bound"). An explicit TESTCONTAINERS_HOST_OVERRIDE still wins.
  const hostOverride = process.env.TESTCONTAINERS_HOST_OVERRIDE === undefined ? '127.0.0.1' : undefined;
  const stop = async () => {
    if (process.env.DOCKER_HOST === `unix://${socketPath}`) delete process.env.DOCKER_HOST;
    if (hostOverride && process.env.TESTCONTAINERS_HOST_OVERRIDE === hostOverride)
      delete process.env.TESTCONTAINERS_HOST_OVERRIDE;
    if (!ended) service.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  while (!(await pings(socketPath))) {
    if (ended || Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not answer on ${socketPath}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.env.DOCKER_HOST = `unix://${socketPath}`;
  if (hostOverride) process.env.TESTCONTAINERS_HOST_OVERRIDE = hostOverride;
  return stop;
}
