import { AppError } from '@infer/contracts';
import type { WebhookStore } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { type WebhookDeliveryJobData, webhookDeliveryJobDataSchema } from '@infer/queues';
import { type Allowlist, safeFetch } from '@infer/ssrf-guard';
import { inSpan, withoutTracing } from '@infer/telemetry';
import { type Job, UnrecoverableError } from 'bullmq';
import type { DispatcherMetrics } from './dispatcher-metrics.ts';
import { type AttemptVerdict, DeliveryRetry, judgeStatus, type RetrySchedule } from './retry-policy.ts';
import { webhookHeaders } from './signing.ts';

export interface DeliveryProcessorDeps {
  webhooks: WebhookStore;
  logger: Logger;
  metrics: DispatcherMetrics;
  /** Decoded WEBHOOK_SECRET keys; every attempt is signed with each. */
  keys: readonly Buffer[];
  allowlist: Allowlist;
  timeoutMs: number;
  /** When to retry (WEBHOOK_RETRY_SCHEDULE). */
  retry: RetrySchedule;
  /** WEBHOOK_TRACEPARENT: while tracing, the POST is a client span whose `traceparent` the receiver gets. */
  sendTraceparent?: boolean;
}

/** The response body kept for `last_error` (and read at most): enough for an error message. */
const RESPONSE_SNIPPET_BYTES = 1024;

/**
 * One delivery attempt: POST the frozen body, signed for this attempt, without
 * following redirects. The outcome is recorded on the job (its `webhook`
 * status) before BullMQ retries (DeliveryRetry) or gives up (UnrecoverableError),
 * and a series that gives up is dead-lettered.
 */
export function createDeliveryProcessor(deps: DeliveryProcessorDeps) {
  const { webhooks, metrics } = deps;

  return async function deliver(job: Job<unknown>): Promise<{ status: number }> {
    const parsed = webhookDeliveryJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid delivery data: ${parsed.error.message}`);
    const data = parsed.data;
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const logger = deps.logger.child({
      jobId: data.jobId,
      eventId: data.eventId,
      deliveryId: data.deliveryId,
      attempt,
    });

    const started = performance.now();
    const attemptedAt = new Date();
    const result = await inSpan(
      'webhook deliver',
      { 'infer.job.id': data.jobId, 'infer.webhook.event': data.type, 'infer.webhook.attempt': attempt },
      async (span) => {
        const outcome = await attemptOnce(data, attemptedAt);
        span?.setAttributes({ 'infer.webhook.outcome': outcome.outcome });
        if (outcome.statusCode !== undefined) span?.setAttribute('http.response.status_code', outcome.statusCode);
        return outcome;
      },
    );
    metrics.attempts.inc({ outcome: result.outcome });
    metrics.attemptSeconds.observe({ outcome: result.outcome }, (performance.now() - started) / 1000);

    if (result.verdict.kind === 'delivered') {
      await webhooks.recordAttempt(data.jobId, data.deliveryId, {
        status: 'delivered',
        attempts: attempt,
        statusCode: result.statusCode,
        attemptedAt,
      });
      metrics.deliveries.inc({ type: data.type, outcome: 'delivered' });
      metrics.latencySeconds.observe(Math.max(0, Date.now() - data.occurredAt) / 1000);
      logger.info({ statusCode: result.statusCode, url: redactUrl(data.url) }, 'webhook delivered');
      return { status: result.statusCode ?? 0 };
    }

    const final = result.verdict.kind === 'stop' || attempt >= maxAttempts;
    if (final) {
      await webhooks.recordAttempt(data.jobId, data.deliveryId, {
        status: 'failed',
        attempts: attempt,
        statusCode: result.statusCode,
        error: result.error,
        attemptedAt,
      });
      await webhooks.deadLetter({
        deliveryId: data.deliveryId,
        eventId: data.eventId,
        jobId: data.jobId,
        type: data.type,
        url: data.url,
        attempts: attempt,
        statusCode: result.statusCode,
        error: result.error,
      });
      metrics.deliveries.inc({ type: data.type, outcome: 'failed' });
      const why = result.verdict.kind === 'stop' ? 'refused for good' : `no success after ${attempt} attempts`;
      logger.warn(
        { statusCode: result.statusCode, error: result.error, url: redactUrl(data.url) },
        `webhook dead-lettered: ${why}`,
      );
      throw new UnrecoverableError(`${why}: ${result.error}`);
    }

    const retryAfterMs = result.verdict.kind === 'retry' ? result.verdict.retryAfterMs : undefined;
    const delayMs = deps.retry.delayAfter(attempt, retryAfterMs);
    await webhooks.recordAttempt(data.jobId, data.deliveryId, {
      status: 'pending',
      attempts: attempt,
      statusCode: result.statusCode,
      error: result.error,
      attemptedAt,
      nextAttemptAt: new Date(Date.now() + delayMs),
    });
    logger.info({ statusCode: result.statusCode, error: result.error, delayMs }, 'webhook attempt failed; will retry');
    throw new DeliveryRetry(result.error, delayMs);
  };

  async function attemptOnce(
    data: WebhookDeliveryJobData,
    now: Date,
  ): Promise<{ verdict: AttemptVerdict; outcome: string; statusCode?: number; error: string }> {
    try {
      const send = deps.sendTraceparent === false ? withoutTracing : <T>(fn: () => T) => fn();
      const response = await send(() =>
        safeFetch(data.url, {
          method: 'POST',
          headers: webhookHeaders(deps.keys, data.eventId, data.body, now),
          body: data.body,
          allowlist: deps.allowlist,
          timeoutMs: deps.timeoutMs,
          maxBytes: RESPONSE_SNIPPET_BYTES,
          overflow: 'truncate',
          // A redirect is an answer like any non-2xx: following it could lead anywhere.
          maxRedirects: 0,
        }),
      );
      const verdict = judgeStatus(response.status, response.headers['retry-after']);
      const snippet = response.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
      return {
        verdict,
        outcome: verdict.kind === 'delivered' ? 'success' : 'http_error',
        statusCode: response.status,
        error: verdict.kind === 'delivered' ? '' : `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`,
      };
    } catch (error) {
      if (error instanceof AppError) {
        if (error.code === 'url_timeout')
          return { verdict: { kind: 'retry' }, outcome: 'timeout', error: error.message };
        // The address is refused now (DNS changed since the URL was accepted): never connect, stop.
        if (error.code === 'url_not_allowed')
          return { verdict: { kind: 'stop' }, outcome: 'refused', error: error.message };
        return { verdict: { kind: 'retry' }, outcome: 'connection_error', error: error.message };
      }
      return { verdict: { kind: 'retry' }, outcome: 'connection_error', error: String(error) };
    }
  }
}

/** Logs show where a delivery went without query strings (they may carry tokens). */
const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
};
