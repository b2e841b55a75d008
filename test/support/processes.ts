import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const KEEP_BYTES = 200_000;

/** A real service process (API, worker, ...) run with tsx, its output kept for failure messages. */
export class ServiceProcess {
  readonly child: ChildProcess;
  /** The last ~200 KB of output, as the chunks arrived: no copy of the whole per chunk. */
  private chunks: Buffer[] = [];

  private kept = 0;

  readonly name: string;

  /** `node`: the Node.js binary to run it with (default: the one running the tests). */
  constructor(name: string, entry: string, env: Record<string, string>, node = process.execPath) {
    this.name = name;
    this.child = spawn(node, ['--import', 'tsx', path.join(ROOT, entry)], {
      cwd: ROOT,
      // debug: tests read the per-job lines ("job started"), which are below info.
      env: { ...process.env, LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Cheap per chunk (no copy of all that is kept): the bench's load generator drains these pipes too.
    const keep = (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      while (this.kept - (this.chunks[0]?.length ?? 0) >= KEEP_BYTES) this.kept -= this.chunks.shift()?.length ?? 0;
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get logs(): string {
    return Buffer.concat(this.chunks).toString().slice(-KEEP_BYTES);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolve with the exit code (or signal name). */
  waitForExit(timeoutMs = 30_000): Promise<number | string> {
    if (this.exited) return Promise.resolve(this.child.exitCode ?? (this.child.signalCode as string));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit in ${timeoutMs} ms\n${this.logs}`)),
        timeoutMs,
      );
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? (signal as string));
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | string> {
    if (!this.exited) this.child.kill(signal);
    try {
      return await this.waitForExit(timeoutMs);
    } catch (error) {
      this.child.kill('SIGKILL');
      throw error;
    }
  }

  /** Poll `url` until it answers 200, failing early if the process dies. */
  async waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited before ${url} answered\n${this.logs}`);
      try {
        const response = await fetch(url);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${url} did not answer 200 within ${timeoutMs} ms\n${this.logs}`);
  }
}
