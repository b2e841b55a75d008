import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** podman's settings for these tests (runc, ulimits the host allows, file logs), leaving the host's alone. */
export const CONTAINERS_CONF = path.join(HERE, '..', 'containers.conf');
const ENV = { ...process.env, CONTAINERS_CONF };

/** Run podman, resolving with stdout; rejects with stderr on a non-zero exit. */
export function podman(args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'podman',
      args,
      { env: ENV, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`podman ${args.join(' ')}: ${stderr.trim() || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

/** Run podman with its output streamed to ours (long builds), resolving with the exit code. */
export function podmanStreamed(args: string[], prefix: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('podman', args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export async function inspect<T = Record<string, unknown>>(kind: 'image' | 'container', name: string): Promise<T> {
  const [first] = JSON.parse(await podman([kind, 'inspect', name])) as T[];
  if (!first) throw new Error(`podman ${kind} inspect ${name}: nothing`);
  return first;
}
