import { loadEnvOrExit } from '@infer/config';
import { createLogger } from '@infer/logger';
import { installShutdown, weighExternalMemoryWithHeap } from '@infer/runtime';
import { FLUSH_TRACES_STEP } from '@infer/telemetry';
import { ApiConfigurationError, RedisUnreachableError, startApi } from './start-api.ts';

// First, before any work: Buffers weigh in GC decisions as the heap does (see gc-limits.ts).
weighExternalMemoryWithHeap();
const env = loadEnvOrExit();
const logger = createLogger({ name: 'api', level: env.LOG_LEVEL, format: env.LOG_FORMAT });

try {
  const api = await startApi(env, { logger });
  installShutdown({ logger, graceMs: env.SHUTDOWN_GRACE_MS, steps: [...api.shutdownSteps, FLUSH_TRACES_STEP] });
} catch (error) {
  if (error instanceof ApiConfigurationError) {
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(78); // EX_CONFIG, as for any other bad setting
  }
  if (error instanceof RedisUnreachableError) {
    logger.fatal({ err: error.cause }, error.message);
  } else {
    // A model repository that does not load, a port already taken.
    logger.fatal({ err: error }, (error as Error).message);
  }
  process.exit(1);
}
