import { statSync } from 'node:fs';
import path from 'node:path';
import { isVersionReady, type ModelServer, READY_MARKER, readModel } from '@infer/inference';
import type { Logger } from '@infer/logger';

/**
 * A removed version keeps serving jobs submitted before its removal until none has come
 * for this long: a queue of them drains instead of failing as unknown.
 */
const RETIRE_QUIET_MS = 2000;

export interface RepositoryWatcherOptions {
  root: string;
  /** The models this worker serves (their names); versions of other models are not its business. */
  models: readonly string[];
  server: ModelServer;
  logger: Logger;
  /** 0: no polling (only refresh() on the admin reload message). */
  pollSeconds: number;
  /** Called after each change (a version served, failed or removed): the heartbeat beats now. */
  onChange?: () => void;
}

/**
 * Keeps the served versions in step with the model repository while the worker runs: a new
 * version (its folder holds model.onnx and the READY marker) is loaded, checked and warmed up,
 * then served; a version whose folder is gone takes no new jobs, finishes those it holds and
 * those submitted before its removal, and is released. A version that fails to load is reported (heartbeat) and never served; it is
 * tried again only once its READY marker is written anew.
 */
export class RepositoryWatcher {
  private readonly options: RepositoryWatcherOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** READY marker mtimes of failed versions: a rewritten marker means a new attempt. */
  private readonly failedAt = new Map<string, number>();

  constructor(options: RepositoryWatcherOptions) {
    this.options = options;
  }

  start(): this {
    if (this.options.pollSeconds > 0) {
      this.timer = setInterval(() => void this.refresh(), this.options.pollSeconds * 1000);
      this.timer.unref();
    }
    return this;
  }

  /** Compare the repository with what is served now and act on the difference; calls made meanwhile run once more after. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.scan();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async scan(): Promise<void> {
    const { server, logger, root } = this.options;
    const served = new Map(server.catalog().map((model) => [model.name, model.versions]));
    const failures = server.failures();
    const work: Promise<void>[] = [];
    for (const name of this.options.models) {
      let present: ReturnType<typeof readModel>;
      try {
        present = readModel(path.join(root, name));
      } catch (error) {
        // A model.json being rewritten, or every version gone: change nothing until it reads again.
        logger.warn({ model: name, err: error }, 'model repository entry unreadable; served versions unchanged');
        continue;
      }
      const current = served.get(name) ?? [];
      for (const version of current) {
        if (present.versions.includes(version)) continue;
        logger.info(
          { model: name, version },
          'version removed from the repository; finishing its jobs, then unloading',
        );
        // Not awaited: it waits for jobs, and must not hold up loads (a scan a pinned job waits on).
        void server.unloadVersion(name, version, { quietMs: RETIRE_QUIET_MS }).then(
          () => {
            logger.info({ model: name, version }, 'version unloaded');
            this.options.onChange?.();
          },
          (error: unknown) => logger.error({ model: name, version, err: error }, 'version could not be unloaded'),
        );
      }
      for (const key of failures.keys()) {
        const [model, version] = key.split('@') as [string, string];
        if (model === name && !present.versions.includes(version)) {
          server.forgetFailure(name, version);
          this.failedAt.delete(key);
        }
      }
      for (const version of present.versions) {
        if (current.includes(version) || server.isLoading(name, version)) continue;
        // Only a complete version: model.onnx may still be being copied until READY is written.
        if (!isVersionReady(present, version)) continue;
        const key = `${name}@${version}`;
        const markerAt = readyMtime(present.dir, version);
        if (failures.has(key) && this.failedAt.get(key) === markerAt) continue;
        logger.info({ model: name, version }, 'new version in the repository; loading');
        work.push(
          server.loadVersion(name, version).then(
            () => {
              this.failedAt.delete(key);
              logger.info({ model: name, version }, 'version loaded, checked and warmed up; serving it');
              this.options.onChange?.();
            },
            (error: unknown) => {
              this.failedAt.set(key, markerAt);
              logger.error({ model: name, version, err: error }, 'version failed its load checks; not served');
              this.options.onChange?.();
            },
          ),
        );
      }
    }
    await Promise.all(work);
  }
}

function readyMtime(dir: string, version: string): number {
  try {
    return statSync(path.join(dir, version, READY_MARKER)).mtimeMs;
  } catch {
    return 0;
  }
}
