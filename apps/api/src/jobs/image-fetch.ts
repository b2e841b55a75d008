import { AppError } from '@infer/contracts';
import { Allowlist, type Resolver, safeFetch } from '@infer/ssrf-guard';
import { sniff } from './submit-body.ts';

export interface ImageFetchSettings {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** SSRF_ALLOWLIST: hosts/CIDRs that may be private (e.g. an internal image store). */
  allowlist: Iterable<string>;
  /** Name resolution (tests); default the OS resolver. */
  lookup?: Resolver | undefined;
}

/**
 * Downloads `image_url`s through the SSRF guard: http(s) only, the resolved
 * address checked at connect time and on every redirect (no DNS-rebinding
 * bypass), one deadline for the whole exchange, the body capped at
 * MAX_UPLOAD_BYTES. The bytes are then judged like an upload (magic bytes).
 */
export class ImageFetcher {
  private readonly allowlist: Allowlist;

  private readonly settings: ImageFetchSettings;

  constructor(settings: ImageFetchSettings) {
    this.settings = settings;
    this.allowlist = Allowlist.from(settings.allowlist);
  }

  async fetch(url: string, field: string): Promise<Buffer> {
    let response: Awaited<ReturnType<typeof safeFetch>>;
    try {
      response = await safeFetch(url, {
        allowlist: this.allowlist,
        lookup: this.settings.lookup,
        timeoutMs: this.settings.timeoutMs,
        maxBytes: this.settings.maxBytes,
        maxRedirects: this.settings.maxRedirects,
        headers: { accept: 'image/jpeg, image/png, image/webp', 'user-agent': 'infer-api (image_url fetch)' },
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The guard's codes (url_not_allowed, url_fetch_failed, url_timeout, url_too_large), naming the field.
      const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
      throw new AppError(error.code, `${field}: ${error.message}`, {
        ...error.options,
        cause: error,
        details: { ...details, field },
      });
    }
    if (response.status < 200 || response.status > 299) {
      throw new AppError('image_fetch_failed', `${field}: the server answered HTTP ${response.status}`, {
        details: { field, status: response.status },
      });
    }
    sniff(response.body, field);
    return response.body;
  }
}
