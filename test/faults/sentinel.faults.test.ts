import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GroupNode,
  type LocalSentinelGroup,
  startLocalSentinelGroup,
} from '../../dev-support/local-sentinel-group.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { TestSystem } from '../support/system.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import {
  failoverScenarioEnv,
  logLinesNaming,
  type Submission,
  SubmittingClients,
  sleep,
  tallyAccepted,
} from './total-queue.ts';

interface Failover {
  killed: string;
  killedAt: number;
  promoted?: string;
  killToPromotedMs?: number;
  killToFirst2xxMs?: number;
  answered503?: number;
}

/**
 * The total-queue check through two Sentinel failovers, every process real: a primary, two
 * replicas and three sentinels (dev-support/local-sentinel-group.ts); the API, two workers and
 * the dispatcher reach them through REDIS_SENTINELS alone, with REDIS_WAIT_REPLICAS=1. Under
 * continuous submissions with keys and webhooks the primary is SIGKILLed; it is restarted (it
 * rejoins as a replica) and the new primary is SIGKILLed in turn. Then every submission that got
 * a 2xx must reach exactly one terminal state, with its answer, and its job.succeeded webhook
 * must arrive under one webhook-id. Reported: lost, duplicated and recovered jobs, 503s, and
 * the time from each kill to the first 2xx again.
 */
describe('total-queue check through two Sentinel failovers (real API, workers, dispatcher, sentinels)', () => {
  let group: LocalSentinelGroup;
  let system: TestSystem;
  let receiver: WebhookReceiver;
  const images = {} as Record<Submission['label'], Buffer>;
  const clients = new SubmittingClients({
    system: () => system,
    images,
    webhookUrl: () => receiver.url('/hook'),
  });
  const failovers: Failover[] = [];

  beforeAll(async () => {
    images.healthy = await solidImage(COLOURS.green, 'png', 48);
    images.rust = await solidImage(COLOURS.orangeBrown, 'jpeg', 48);
    group = await startLocalSentinelGroup({ replicas: 2, sentinels: 3 });
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({
      workers: 2,
      dispatcher: true,
      env: {
        ...failoverScenarioEnv(receiver.port),
        REDIS_SENTINELS: group.sentinelList,
        MAX_BATCH_SIZE: '4',
      },
    });
  }, 120_000);
  afterAll(async () => {
    try {
      await system?.stop();
      await receiver?.close();
    } finally {
      await group?.stop();
    }
  });

  async function failOver(): Promise<{ failover: Failover; killed: GroupNode }> {
    const { node: killed, killedAt } = await group.killPrimary();
    const failover: Failover = { killed: killed.name, killedAt };
    failovers.push(failover);
    const promoted = await group.waitForNewPrimary(killed);
    failover.promoted = promoted.name;
    failover.killToPromotedMs = Date.now() - killedAt;
    return { failover, killed };
  }

  async function injectFaults(): Promise<void> {
    await sleep(3000);
    const first = await failOver();
    await sleep(3000);
    // The old primary comes back as a replica of the new one; then the new one dies in turn.
    await group.restart(first.killed);
    await sleep(2000);
    const second = await failOver();
    await sleep(3000);
    await group.restart(second.killed);
  }

  it('every 2xx-acknowledged submission ends once, with its answer and one webhook-id; none lost or duplicated', async () => {
    const load = { endsAt: Number.POSITIVE_INFINITY };
    const started = Date.now();
    await Promise.all([
      injectFaults().finally(() => {
        load.endsAt = Date.now() + 2000;
      }),
      ...clients.run(4, load),
    ]);
    for (const [i, failover] of failovers.entries()) {
      failover.killToFirst2xxMs = clients.firstAcceptedAfter(failover.killedAt);
      failover.answered503 = clients.countAnswers(503, failover.killedAt, failovers[i + 1]?.killedAt);
    }

    const submissions = clients.submissions;
    const accepted = clients.accepted();
    expect(clients.unexpectedStatuses()).toEqual([]);
    expect(accepted.length).toBe(submissions.length);
    expect(submissions.length).toBeGreaterThan(30);

    // Lost, wrong answers and webhooks: the total-queue tally (total-queue.ts).
    const { lost, wrong, withoutWebhook, severalWebhookIds } = await tallyAccepted(system, accepted, [receiver]);

    // Duplicated: more than one job for a key (a record on the primary that no 2xx named).
    const primary = await group.currentPrimary();
    const inspect = new Redis(primary.url);
    let records: string[];
    try {
      const keys = await inspect.keys(`${system.prefix}:*:job:*`);
      records = keys.filter((key) => !key.endsWith(':image')).map((key) => key.split(':').pop() as string);
    } finally {
      inspect.disconnect();
    }
    const ids = new Set(accepted.map((s) => s.id));
    const duplicated = records.filter((id) => !ids.has(id));

    const report = {
      submissions: submissions.length,
      accepted: accepted.length,
      lost: lost.length,
      duplicated: duplicated.length,
      // Accepted on a retry that replayed the job a 503'd or dropped attempt had written.
      recovered: accepted.filter((s) => s.replayed).length,
      answered503: clients.countAnswers(503, started),
      connectionFailures: clients.countAnswers(0, started),
      failovers: failovers.map(({ killed, promoted, killToPromotedMs, killToFirst2xxMs, answered503 }) => ({
        killed,
        promoted,
        killToPromotedMs,
        killToFirst2xxMs,
        answered503,
      })),
      withoutWebhook: withoutWebhook.length,
      severalWebhookIds: severalWebhookIds.length,
      tookMs: Date.now() - started,
    };
    console.info('total-queue check through two Sentinel failovers:', JSON.stringify(report, null, 2));

    expect(failovers.map((f) => f.promoted !== undefined)).toEqual([true, true]);
    expect({ lost, duplicated, wrong }, logLinesNaming(system, lost)).toEqual({ lost: [], duplicated: [], wrong: [] });
    expect({ withoutWebhook, severalWebhookIds }).toEqual({ withoutWebhook: [], severalWebhookIds: [] });
    for (const failover of failovers) expect(failover.killToFirst2xxMs).toBeDefined();
  }, 240_000);
});
