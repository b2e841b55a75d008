import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** podman's settings for these tests (runc, ulimits the host allows, file logs), leaving the host's alone. */
export const CONTAINERS_CONF = path.join(HERE, '..', 'containers.conf');
const ENV = { ...process.env, CONTAINERS_CONF };

/** Run the podman CLI (what the engine API cannot do), resolving with stdout; rejects with stderr on a non-zero exit. */
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
