import { AppError, DEFAULT_WEBHOOK_EVENTS, type SubmitOptions } from '@infer/contracts';
import { assertUrlAllowed } from '@infer/ssrf-guard';

/**
 * The checks of a submission's webhook, in one place: its options (webhookOf, when
 * the jobs API parses a submission) and its URL (assertWebhookUrlAllowed, when
 * JobsService accepts jobs of either API).
 */

/** The webhook of a submission's options (`webhook_url`, `webhook_events`); events without a URL are refused. */
export function webhookOf(options: SubmitOptions): { url: string; events: string[] } | undefined {
  if (options.webhook_url === undefined) {
    if (options.webhook_events !== undefined) {
      throw new AppError('invalid_request', 'webhook_events: needs a webhook_url', {
        details: { field: 'webhook_events' },
      });
    }
    return undefined;
  }
  return { url: options.webhook_url, events: [...new Set(options.webhook_events ?? DEFAULT_WEBHOOK_EVENTS)] };
}

/**
 * Accept-time check of a submission's webhook_url: a URL whose host resolves
 * to a private, loopback, link-local... address is refused with 400 at once
 * rather than failing at every delivery. The dispatcher checks again at each
 * connection (DNS may answer differently later).
 */
export async function assertWebhookUrlAllowed(url: string, allowlist: readonly string[]): Promise<void> {
  try {
    await assertUrlAllowed(url, { allowlist });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new AppError('url_not_allowed', `webhook_url refused: ${error.message}`, {
      details: { field: 'webhook_url', ...(error.details as object | undefined) },
    });
  }
}
