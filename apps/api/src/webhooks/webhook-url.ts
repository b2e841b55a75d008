import { AppError } from '@infer/contracts';
import { assertUrlAllowed } from '@infer/ssrf-guard';

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
