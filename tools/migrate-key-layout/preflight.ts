import type { Redis } from 'ioredis';
import type { MigrationContext } from './context.ts';
import { OLD_WEBHOOK_QUEUE } from './old-layout.ts';
import { activeCount, type OldQueues, oldQueueNames } from './old-queues.ts';

/** This connection's name in CLIENT LIST: not one of the deployment's processes. */
export const MIGRATION_CONNECTION_NAME = 'migrate-key-layout';

/** Whether the server is a Redis Cluster node (reached through REDIS_URL alone, say). */
export async function isClusterNode(redis: Redis): Promise<boolean> {
  return /^cluster_enabled:1\b/m.test(await redis.info('cluster'));
}

/**
 * Connections of this deployment's processes, by the names they give themselves: `infer-producer`,
 * `infer-worker`, `infer-subscriber` (packages/redis roles.ts), and BullMQ's
 * `<prefix>:<base64 of a queue name>...` for workers' blocking connections. Undefined when the
 * server refuses CLIENT LIST (some managed services): the check is then the operator's.
 */
export async function processConnections(redis: Redis, prefix: string): Promise<string[] | undefined> {
  let list: string;
  let own: number;
  try {
    [list, own] = await Promise.all([redis.client('LIST') as Promise<string>, redis.client('ID') as Promise<number>]);
  } catch {
    return undefined;
  }
  return list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((pair) => pair.split('=', 2) as [string, string])))
    .filter(({ id, name }) => Number(id) !== own && (name?.startsWith('infer-') || name?.startsWith(`${prefix}:`)))
    .map(({ name, addr }) => `${name} from ${addr}`);
}

/**
 * Why the migration must not start, if anything: a worker still holds jobs (they would be
 * lost with the old queue), or the deployment's processes are still connected (they would
 * go on writing the old layout after their keys had moved). Nothing is changed before this.
 */
export async function blockersOf(
  ctx: MigrationContext,
  queues: OldQueues,
  options: { ignoreConnectedClients: boolean },
): Promise<{ blockers: string[]; warnings: string[] }> {
  const blockers: string[] = [];
  const warnings: string[] = [];
  if (!options.ignoreConnectedClients) {
    const connections = await processConnections(ctx.redis, ctx.prefix);
    if (connections === undefined) {
      warnings.push('the server refused CLIENT LIST: make sure no API, worker or dispatcher is running');
    } else if (connections.length > 0) {
      blockers.push(
        `${connections.length} connection(s) of the deployment's processes are open (${connections.slice(0, 5).join(', ')}${connections.length > 5 ? ', ...' : ''}): ` +
          'stop the API, the workers (SIGTERM: they hand their jobs back) and the webhook dispatcher first; a process ' +
          'still running would go on writing the old layout. If these belong to another deployment on this Redis ' +
          '(another QUEUE_PREFIX), run again with --ignore-clients.',
      );
    }
  }
  for (const queue of oldQueueNames(queues)) {
    const active = await activeCount(ctx, queue);
    if (active === 0) continue;
    const who = queue === OLD_WEBHOOK_QUEUE ? 'webhook dispatcher' : 'worker';
    blockers.push(
      `${active} job(s) still active in the old queue "${queue}": the ${who}s have not drained. Stop every ` +
        `${who} with SIGTERM and wait for it to exit (it hands its jobs back to the queue). A job left active by ` +
        `a ${who} that was killed goes back once a ${who} of the old release runs its stalled-job check ` +
        '(within its lock duration): start one, wait, stop it with SIGTERM, then run this again.',
    );
  }
  return { blockers, warnings };
}
