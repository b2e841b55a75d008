import { loadEnvOrExit } from '@infer/config';
import { createLogger } from '@infer/logger';
import { installShutdown, weighExternalMemoryWithHeap } from '@infer/runtime';
import { FLUSH_TRACES_STEP } from '@infer/telemetry';
import { startWorker } from './start-worker.ts';

// First, before any work: Buffers weigh in GC decisions as the heap does (see gc-limits.ts).
weighExternalMemoryWithHeap();
const env = loadEnvOrExit();
const logger = createLogger({ name: 'worker', level: env.LOG_LEVEL, format: env.LOG_FORMAT });

const worker = await startWorker(env, { logger, exit: (code) => process.exit(code) });
installShutdown({ logger, graceMs: env.SHUTDOWN_GRACE_MS, steps: [...worker.shutdownSteps, FLUSH_TRACES_STEP] });
