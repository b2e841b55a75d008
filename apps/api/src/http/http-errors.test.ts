import { SlotOwnerUnavailableError } from '@infer/redis';
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { toAppError } from './http-errors.ts';

/** What ioredis raises while Redis is away or a Sentinel failover is under way: each a 503 with Retry-After, never a 500. */
describe('toAppError for Redis failures', () => {
  const unavailable = [
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error('Connection is closed.'),
    new Error('Command aborted due to connection close'),
    new Error('connect ECONNREFUSED 127.0.0.1:6379'),
    new Error('read ECONNRESET'),
    new Error('write EPIPE'),
    new Error('connect ETIMEDOUT'),
    new Error('All sentinels are unreachable. Retrying from scratch after 100ms.'),
    // ioredis' MaxRetriesPerRequestError (not exported): a command that outlived its retries.
    Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
      name: 'MaxRetriesPerRequestError',
    }),
    // A Cluster primary failing over: redirected to the dead node until the client gives up.
    new Error('Too many Cluster redirections. Last error: ReplyError: MOVED 240 127.0.0.1:44805'),
    new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
    new Error('None of startup nodes is available'),
    new Error("Cluster isn't ready and enableOfflineQueue options is false"),
    Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }),
    new SlotOwnerUnavailableError('p:{s0~1}:job:x'),
  ];
  it.each(unavailable.map((error) => [error.message, error]))('"%s" is 503 with Retry-After', (_message, error) => {
    const appError = toAppError(error);
    expect(appError.status).toBe(503);
    expect(appError.options.headers?.['Retry-After']).toBeDefined();
  });

  const refusing = [
    "READONLY You can't write against a read only replica.",
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    'LOADING Redis is loading the dataset in memory',
    'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
    'NOREPLICAS Not enough good replicas to write.',
    "OOM command not allowed when used memory > 'maxmemory'.",
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
  ];
  it.each(refusing)('"%s" is 503 with its reason and Retry-After', (message) => {
    const appError = toAppError(new ReplyError(message));
    expect(appError.status).toBe(503);
    expect(appError.details).toEqual({ reason: message.split(' ')[0] });
    expect(appError.options.headers?.['Retry-After']).toBeDefined();
  });

  it('leaves other errors a 500', () => {
    expect(toAppError(new ReplyError('ERR syntax error')).status).toBe(500);
  });
});
