import { type JobEventMessage, jobEventMessageSchema, ServiceUnavailableError } from '@infer/contracts';
import type { Logger } from '@infer/logger';
import { isCluster, type RedisClient } from '@infer/redis';

/** On a Cluster, how long the subscriptions must stay settled after a failover before waiters re-read. */
const RESYNC_SETTLE_MS = 250;

/** Called with every state change of the watched job, or with `undefined` after a reconnect (events may be lost). */
export type JobEventListener = (event: JobEventMessage | undefined) => void;

/**
 * The API process's single subscription to the job-events channels, one per job-store
 * shard (SPUBLISHed by JobStore.transition on every state change: sharded pub/sub, so on a
 * Cluster each message stays on the node of its shard), fanned out in-process to the
 * waiters of each job id. One subscriber per process (on a Cluster, one connection per
 * primary), however many clients long-poll or stream: pub/sub connections are not free.
 *
 * Pub/sub is fire-and-forget: a message published while the connection is down
 * is lost. Listeners are therefore told about every reconnection and re-read the
 * job record then, so that nobody waits for an event that will never come.
 */
export class JobEvents {
  private readonly listeners = new Map<string, Set<JobEventListener>>();
  private connection: RedisClient | undefined;
  private subscribed: Promise<void> | undefined;
  private closed = false;
  private readonly closing = new AbortController();

  private readonly connect: () => RedisClient;
  private readonly channels: ReadonlySet<string>;
  private readonly logger: Logger;

  constructor(connect: () => RedisClient, channels: readonly string[], logger: Logger) {
    this.connect = connect;
    this.channels = new Set(channels);
    this.logger = logger;
  }

  /** Subscribe now instead of at the first watcher (main.ts does, so the first wait pays nothing). */
  start(): Promise<void> {
    // Shutting down: a new wait or stream is a 503 the client retries on another replica.
    if (this.closed) return Promise.reject(new ServiceUnavailableError('the server is shutting down; retry'));
    if (this.subscribed) return this.subscribed;
    const connection = this.connect();
    this.connection = connection;
    connection.on('error', (error) => this.logger.warn({ err: error }, 'job-events subscriber error'));
    connection.on('smessage', (channel: string, message: string) => {
      if (this.channels.has(channel)) this.dispatch(message);
    });
    // ioredis subscribes again by itself on reconnect; what was published meanwhile is gone.
    const resubscribed = () => {
      this.logger.info('job-events subscriber reconnected; waiters re-read their jobs');
      for (const set of this.listeners.values()) for (const listener of set) this.call(listener, undefined);
    };
    if (isCluster(connection)) {
      // A shard's subscriber was lost (its primary failed): messages may have gone by. ioredis
      // replaces it every few tens of ms while the failover lasts (hundreds of -subscriber in one
      // failover, measured) and says `subscribersReady` once the channels are subscribed again:
      // waiters re-read once, RESYNC_SETTLE_MS after the last of those, when their jobs' nodes answer.
      let lost = false;
      let settle: NodeJS.Timeout | undefined;
      connection.on('-subscriber', () => {
        lost = true;
      });
      connection.on('subscribersReady', () => {
        if (!lost) return;
        clearTimeout(settle);
        settle = setTimeout(() => {
          lost = false;
          resubscribed();
        }, RESYNC_SETTLE_MS);
        settle.unref();
      });
    } else {
      let first = true;
      connection.on('ready', () => {
        if (first) first = false;
        else resubscribed();
      });
    }
    // One SSUBSCRIBE per channel: on a Cluster each goes to the node serving its slot.
    this.subscribed = Promise.all([...this.channels].map((channel) => connection.ssubscribe(channel))).then(
      () => undefined,
      (error: unknown) => {
        // Let the next watcher try again rather than failing forever.
        this.subscribed = undefined;
        this.connection = undefined;
        connection.disconnect();
        throw error;
      },
    );
    return this.subscribed;
  }

  /**
   * Register `listener` for job `id`; resolves once the subscription is active,
   * so that a caller reading the job state afterwards cannot miss a change
   * (subscribe first, then read). Returns the function that unregisters it.
   */
  async watch(id: string, listener: JobEventListener): Promise<() => void> {
    let set = this.listeners.get(id);
    if (!set) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    const unwatch = () => {
      const current = this.listeners.get(id);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(id);
    };
    try {
      await this.start();
    } catch (error) {
      unwatch();
      throw error;
    }
    return unwatch;
  }

  /** Aborted when the process shuts down: event streams and waits end instead of holding the server open. */
  get closingSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** Listeners registered right now (a gauge on /metrics). */
  get watching(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    this.listeners.clear();
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    try {
      await Promise.race([connection.quit(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    } catch {
      // already closed
    }
    connection.disconnect();
  }

  private dispatch(raw: string): void {
    let event: JobEventMessage;
    try {
      event = jobEventMessageSchema.parse(JSON.parse(raw));
    } catch (error) {
      this.logger.warn({ err: error, message: raw.slice(0, 200) }, 'ignored malformed job event');
      return;
    }
    const set = this.listeners.get(event.id);
    if (!set) return;
    for (const listener of [...set]) this.call(listener, event);
  }

  private call(listener: JobEventListener, event: JobEventMessage | undefined): void {
    try {
      listener(event);
    } catch (error) {
      this.logger.error({ err: error }, 'job-events listener threw');
    }
  }
}
