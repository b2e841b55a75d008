import type { JobView, WebhookPayload } from '@infer/contracts';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import type { TestSystem } from '../support/system.ts';
import type { ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The client side of the fault suite's total-queue check, shared by every scenario
 * (test/faults/*.faults.test.ts): clients that submit continuously, each submission retried
 * under its Idempotency-Key until some 2xx, and the tally of what came back.
 */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One logical submission of a client: retried under the same Idempotency-Key until some 2xx. */
export interface Submission {
  key: string;
  label: 'healthy' | 'rust';
  wait: boolean;
  /** Every status seen (0: the connection failed). */
  statuses: number[];
  /** When each attempt was sent and answered (epoch ms), in the order of `statuses`. */
  sentAt: number[];
  answeredAt: number[];
  /** From the first attempt to the 2xx. */
  tookMs?: number;
  id?: string;
  /** The 2xx was a replay of a job an earlier attempt wrote (Idempotent-Replayed). */
  replayed?: boolean;
}

/** Statuses a client may see while faults are injected; anything else (500 above all) fails the run. */
export const EXPECTED_STATUSES = new Set([0, 200, 202, 503]);

export interface SubmittingClientsOptions {
  system: () => TestSystem;
  images: Record<Submission['label'], Buffer>;
  /** Where each job's webhook goes. */
  webhookUrl: () => string;
  /** A client gives up a submission after this long (the check then fails: every one must be accepted). */
  giveUpMs?: number;
}

/** Clients submitting with keys and webhooks until `load.endsAt`; every submission lands in `submissions`. */
export class SubmittingClients {
  readonly submissions: Submission[] = [];
  private readonly options: SubmittingClientsOptions;

  constructor(options: SubmittingClientsOptions) {
    this.options = options;
  }

  /** `count` clients until `load.endsAt` (read on each loop, so it can be set while they run). */
  run(count: number, load: { endsAt: number }): Promise<void>[] {
    return Array.from({ length: count }, (_, n) => this.client(n, load));
  }

  private async submitOnce(submission: Submission): Promise<void> {
    const form = new FormData();
    form.set('image', new Blob([this.options.images[submission.label]]), 'leaf.png');
    form.set('webhook_url', this.options.webhookUrl());
    const headers: Record<string, string> = { 'idempotency-key': submission.key };
    if (submission.wait) headers.prefer = 'wait=3';
    submission.sentAt.push(Date.now());
    try {
      const response = await fetch(this.options.system().url('/v1/jobs'), {
        method: 'POST',
        body: form,
        headers,
        signal: AbortSignal.timeout(15_000),
      });
      submission.statuses.push(response.status);
      submission.answeredAt.push(Date.now());
      const body = (await response.json()) as { id?: string };
      if (response.status === 200 || response.status === 202) {
        submission.id = body.id;
        submission.replayed = response.headers.get('idempotent-replayed') === 'true';
      }
    } catch {
      submission.statuses.push(0);
      submission.answeredAt.push(Date.now());
    }
  }

  private async client(n: number, load: { endsAt: number }): Promise<void> {
    for (let i = 0; Date.now() < load.endsAt; i++) {
      const submission: Submission = {
        key: `client-${n}-${i}`,
        label: (n + i) % 2 === 0 ? 'healthy' : 'rust',
        wait: n % 3 === 0,
        statuses: [],
        sentAt: [],
        answeredAt: [],
      };
      this.submissions.push(submission);
      const giveUp = Date.now() + (this.options.giveUpMs ?? 90_000);
      const first = Date.now();
      while (submission.id === undefined && Date.now() < giveUp) {
        await this.submitOnce(submission);
        if (submission.id === undefined) await sleep(200);
      }
      submission.tookMs = Date.now() - first;
      await sleep(20);
    }
  }

  accepted(): Submission[] {
    return this.submissions.filter((s) => s.id !== undefined);
  }

  /** Statuses outside EXPECTED_STATUSES (a 500, say): the check wants none. */
  unexpectedStatuses(): number[] {
    return this.submissions.flatMap((s) => s.statuses.filter((status) => !EXPECTED_STATUSES.has(status)));
  }

  /** From `at` (epoch ms) to the first 2xx of an attempt sent after it; undefined if none. */
  firstAcceptedAfter(at: number): number | undefined {
    const times = this.submissions.flatMap((s) =>
      s.statuses.flatMap((status, i) =>
        (status === 200 || status === 202) && (s.sentAt[i] as number) > at ? [(s.answeredAt[i] as number) - at] : [],
      ),
    );
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** Answers of one status between two moments. */
  countAnswers(status: number, from: number, to = Number.POSITIVE_INFINITY): number {
    return this.submissions.reduce(
      (sum, s) =>
        sum +
        s.statuses.filter(
          (seen, i) => seen === status && (s.answeredAt[i] as number) >= from && (s.answeredAt[i] as number) < to,
        ).length,
      0,
    );
  }
}

/** A job's view once terminal; `undefined` when the API no longer knows it (404: lost) or it never ended by `deadline`. */
export async function settledOrLost(
  system: TestSystem,
  id: string,
  deadline: number,
): Promise<{ job?: JobView; lost?: 'missing' | 'never ended' }> {
  for (;;) {
    const response = await fetch(system.url(`/v1/jobs/${id}`));
    if (response.status === 404) return { lost: 'missing' };
    const job = (await response.json()) as JobView;
    if (['succeeded', 'failed', 'canceled'].includes(job.status)) return { job };
    if (Date.now() > deadline) return { lost: 'never ended' };
    await sleep(200);
  }
}

/** Each job's job.succeeded deliveries, verified with `secret`, by job id: the set of webhook-ids seen. */
export function succeededWebhookIds(receivers: readonly WebhookReceiver[], secret: string): Map<string, Set<string>> {
  const verify = new Webhook(secret);
  const byJob = new Map<string, Set<string>>();
  for (const request of receivers.flatMap((r) => r.requests) as ReceivedRequest[]) {
    const payload = verify.verify(request.body, request.headers as Record<string, string>) as WebhookPayload;
    if (payload.type !== 'job.succeeded') continue;
    const ids = byJob.get(payload.data.id) ?? new Set<string>();
    ids.add(String(request.headers['webhook-id']));
    byJob.set(payload.data.id, ids);
  }
  return byJob;
}

/** Whether the job ended as the submission asked: succeeded, with the label of the image sent. */
function isAnswerFor(job: JobView, submission: Submission): boolean {
  return job.status === 'succeeded' && job.error === null && job.result?.predictions[0]?.label === submission.label;
}

/**
 * The total-queue tally of accepted submissions: `lost` (gone, or never ended within a minute),
 * `wrong` (ended, but not succeeded with its answer), and from the receivers, jobs without their
 * job.succeeded webhook or with it under several webhook-ids (waiting up to a minute for them).
 */
export async function tallyAccepted(
  system: TestSystem,
  accepted: readonly Submission[],
  receivers: readonly WebhookReceiver[],
): Promise<{ lost: string[]; wrong: string[]; withoutWebhook: string[]; severalWebhookIds: string[] }> {
  const lost: string[] = [];
  const wrong: string[] = [];
  const deadline = Date.now() + 60_000;
  for (const submission of accepted) {
    const { job, lost: why } = await settledOrLost(system, submission.id as string, deadline);
    if (why) lost.push(`${submission.key} -> ${submission.id}: ${why}`);
    else if (!isAnswerFor(job as JobView, submission)) wrong.push(`${submission.key}: ${JSON.stringify(job)}`);
  }
  let byJob = new Map<string, Set<string>>();
  await expect
    .poll(
      () => {
        byJob = succeededWebhookIds(receivers, system.webhookSecret);
        return accepted.filter((s) => !byJob.has(s.id as string)).length;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(0)
    .catch(() => undefined);
  const withoutWebhook = accepted.filter((s) => !byJob.has(s.id as string)).map((s) => s.id as string);
  const severalWebhookIds = [...byJob].filter(([, webhookIds]) => webhookIds.size > 1).map(([id]) => id);
  return { lost, wrong, withoutWebhook, severalWebhookIds };
}

/** For a failed tally: every log line of the system naming one of the jobs in `entries` (`<key> -> <id>: ...`). */
export function logLinesNaming(system: TestSystem, entries: readonly string[]): string {
  const ids = entries.map((entry) => /-> (\S+):/.exec(entry)?.[1]).filter((id): id is string => id !== undefined);
  if (ids.length === 0) return '';
  const lines = system
    .logs()
    .split('\n')
    .filter((line) => ids.some((id) => line.includes(id)));
  return `log lines naming them (${lines.length}):\n${lines.slice(-60).join('\n')}`;
}

/**
 * The settings both failover scenarios (Sentinel, Cluster) run every process with, beside their
 * topology's: acknowledged means one replica has it, webhooks to the test's receiver retried fast.
 */
export function failoverScenarioEnv(receiverPort: number): Record<string, string> {
  return {
    // Only credentials count with Sentinel or a Cluster: this host is never dialled.
    REDIS_URL: 'redis://unused.invalid:6379',
    REDIS_WAIT_REPLICAS: '1',
    REDIS_WAIT_TIMEOUT_MS: '500',
    SSRF_ALLOWLIST: `127.0.0.1:${receiverPort}`,
    WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,1s,2s,2s,2s,2s,2s,2s,2s,2s',
    // A failover can undo a job's last writes after its live worker moved on (docs/reliability.md):
    // BullMQ then requeues it only once its lock lapses. With the default minute, such a job ends
    // after the tally's 60 s deadline (one did, in a full fault-suite run); not lost, just late.
    LOCK_DURATION_MS: '15000',
  };
}
