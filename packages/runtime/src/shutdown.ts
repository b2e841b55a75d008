import type { Logger } from '@infer/logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Run shutdown steps in order (stop taking work, finish or hand back, close
 * Redis last) under one deadline. Past the deadline the process exits anyway:
 * an orchestrator will SIGKILL it soon, and BullMQ's stalled-job check hands
 * unfinished jobs to another worker.
 */
export function installShutdown(options: {
  logger: Logger;
  graceMs: number;
  steps: ShutdownStep[];
}): () => Promise<void> {
  const { logger, graceMs, steps } = options;
  let started: Promise<void> | undefined;
  const shutdown = () => {
    started ??= (async () => {
      const deadline = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown deadline passed; exiting now');
        process.exit(1);
      }, graceMs);
      deadline.unref();
      for (const step of steps) {
        const began = performance.now();
        try {
          await step.run();
          logger.info({ step: step.name, ms: Math.round(performance.now() - began) }, 'shutdown step done');
        } catch (error) {
          logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(deadline);
    })();
    return started;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void shutdown().then(() => process.exit(0));
    });
  }
  return shutdown;
}

/** Resolve with the promise's value, or reject after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
