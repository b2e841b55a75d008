import { loadEnvOrExit } from '@infer/config';
import { createLogger } from '@infer/logger';
import { installShutdown, weighExternalMemoryWithHeap } from '@infer/runtime';
import { FLUSH_TRACES_STEP } from '@infer/telemetry';
import { startDispatcher } from './start-dispatcher.ts';

// First, before any work: Buffers weigh in GC decisions as the heap does (see gc-limits.ts).
weighExternalMemoryWithHeap();
const env = loadEnvOrExit();
const logger = createLogger({ name: 'webhook-dispatcher', level: env.LOG_LEVEL, format: env.LOG_FORMAT });

if (!env.WEBHOOK_SECRET) {
  process.stderr.write(
    'WEBHOOK_SECRET is required to sign webhooks: set it to one or more whsec_<base64> secrets, e.g. ' +
      `node -e "console.log('whsec_'+require('crypto').randomBytes(32).toString('base64'))"\n`,
  );
  process.exit(78); // EX_CONFIG, as loadEnvOrExit
}

const dispatcher = await startDispatcher(env, { logger });
installShutdown({
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  steps: [...dispatcher.shutdownSteps, FLUSH_TRACES_STEP],
});
