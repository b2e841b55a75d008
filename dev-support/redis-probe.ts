import { Redis } from 'ioredis';

/** A redis-server or sentinel of a local test topology. */
export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * One command on a short-lived connection; undefined when the server does not answer. For the
 * local topologies' own checks (roles, replication, slots), which must never wait on a
 * reconnecting client while a process is killed or starting.
 */
export async function ask(address: RedisAddress, command: string[]): Promise<unknown> {
  const client = new Redis(address.port, address.host, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 1000,
    enableReadyCheck: false,
  });
  client.on('error', () => undefined); // refused while the process is down or starting
  try {
    await client.connect();
    return await client.call(command[0] as string, ...command.slice(1));
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** Poll `check` every 50 ms until it holds, or fail naming `what`. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
