/**
 * `pnpm migrate:key-layout [--dry-run] [--ignore-clients]`: move an existing deployment's Redis
 * keys from the previous release's layout to this one's (see README.md beside this file). Run it
 * once, with the API, workers and webhook dispatcher stopped, before starting the new release.
 * Reads REDIS_URL (or REDIS_SENTINELS), QUEUE_PREFIX, MODEL_REPOSITORY and RESULT_TTL_SECONDS
 * as the processes do.
 *
 * Exit codes: 0 done (or a dry run that would go ahead); 2 refused, nothing changed (or a dry
 * run that would be refused); 3 done, but some old keys could not be moved (named); 1 failed
 * part way (run it again: every step resumes), 78 bad configuration.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvOrExit, redisTargetOf } from '@infer/config';
import { closeRedis, createRedis, describeRedisTarget, isCluster, waitReady } from '@infer/redis';
import { MigrationRefusedError, migrateKeyLayout } from './migrate.ts';
import { MIGRATION_CONNECTION_NAME } from './preflight.ts';
import { formatReport } from './report.ts';

const USAGE = `usage: pnpm migrate:key-layout [--dry-run] [--ignore-clients]
  --dry-run         count what would be moved; change nothing
  --ignore-clients  start although connections named as this deployment's processes are open
                    (they belong to another deployment on this Redis, with another QUEUE_PREFIX)
`;

const { values: flags } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'ignore-clients': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const env = loadEnvOrExit();
const target = redisTargetOf(env);
if (target.cluster) {
  process.stderr.write(
    'REDIS_CLUSTER_NODES is set: this migration runs on the single Redis the previous release used. The old key ' +
      'layout could not exist on a Redis Cluster (its keys share no hash tags), so there is nothing to migrate ' +
      'there. Run it against the old single Redis (REDIS_URL, or REDIS_SENTINELS) before moving to a Cluster.\n',
  );
  process.exit(2);
}

/** The model names of MODEL_REPOSITORY (directories with a model.json); undefined when it is not there. */
function repositoryModels(root: string): string[] | undefined {
  if (!existsSync(root)) return undefined;
  return readdirSync(root).filter((name) => existsSync(path.join(root, name, 'model.json')));
}

const where = `${describeRedisTarget(target)}, prefix "${env.QUEUE_PREFIX}"`;
const redis = createRedis(target, 'producer', { connectionName: MIGRATION_CONNECTION_NAME });
redis.on('error', () => undefined); // each failed command says why; the connection's own noise adds nothing
let code = 1;
try {
  await waitReady(redis);
  if (isCluster(redis)) throw new Error('unreachable: no Cluster target here');
  const report = await migrateKeyLayout(redis, {
    prefix: env.QUEUE_PREFIX,
    resultTtlSeconds: env.RESULT_TTL_SECONDS,
    dryRun: flags['dry-run'],
    models: repositoryModels(env.MODEL_REPOSITORY),
    ignoreConnectedClients: flags['ignore-clients'],
    onStep: (step) => process.stderr.write(`... ${step}\n`),
  });
  process.stdout.write(formatReport(report, where));
  code = report.blockers.length > 0 ? 2 : !report.dryRun && report.leftovers.count > 0 ? 3 : 0;
} catch (error) {
  if (error instanceof MigrationRefusedError) {
    process.stderr.write(`${error.message}\n`);
    code = 2;
  } else {
    process.stderr.write(
      `migration failed on ${where}: ${(error as Error).message}\n` +
        'Every key is either moved or still old: fix the cause and run it again to finish.\n',
    );
  }
} finally {
  await closeRedis(redis);
}
process.exit(code);
