import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AppError } from '@infer/contracts';
import { checkAddress } from './address-policy.ts';
import { Allowlist, stripBrackets } from './allowlist.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Name resolution; tests inject one to play DNS rebinding. Default: the OS resolver (dns.lookup). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface GuardOptions {
  /** SSRF_ALLOWLIST: hosts, addresses and CIDRs that may be private. */
  allowlist?: Allowlist | Iterable<string> | undefined;
  lookup?: Resolver | undefined;
}

export interface SafeFetchOptions extends GuardOptions {
  /** Deadline for the whole exchange, redirects and body included. */
  timeoutMs: number;
  /** Largest response body read. */
  maxBytes: number;
  /** 'error' (default): url_too_large past maxBytes; 'truncate': keep the first maxBytes. */
  overflow?: 'error' | 'truncate';
  /** Redirects followed, each hop checked again; 0 returns the 3xx answer as is. */
  maxRedirects?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
  /** The body was cut at maxBytes (overflow: 'truncate'). */
  truncated: boolean;
}

const defaultResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Parse and validate an outbound URL, resolve its host and check every address,
 * so that a submission naming a private target is refused at once (400). The
 * check is repeated at connect time by safeFetch: DNS may answer differently then.
 */
export async function assertUrlAllowed(input: string | URL, options: GuardOptions = {}): Promise<URL> {
  const url = parseOutboundUrl(input);
  const allowlist = Allowlist.from(options.allowlist);
  const hostname = stripBrackets(url.hostname);
  const addresses = isIP(hostname)
    ? [{ address: hostname, family: isIP(hostname) }]
    : await resolveOrFail(options.lookup ?? defaultResolver, hostname);
  for (const { address } of addresses) assertAddress(address, hostname, portOf(url), allowlist);
  return url;
}

/**
 * fetch() for URLs chosen by clients: the address is checked when the socket
 * connects (custom `lookup`, so a DNS answer cannot change between check and
 * use), on every redirect hop, with one deadline and a capped body.
 */
export async function safeFetch(input: string | URL, options: SafeFetchOptions): Promise<SafeResponse> {
  const allowlist = Allowlist.from(options.allowlist);
  const resolver = options.lookup ?? defaultResolver;
  const maxRedirects = options.maxRedirects ?? 0;
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new AppError('url_timeout', `no complete answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const onAbort = () => deadline.abort(options.signal?.reason ?? new Error('aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let url = parseOutboundUrl(input);
    let method = (options.method ?? 'GET').toUpperCase();
    let body = options.body;
    let headers = { ...options.headers };
    for (let hop = 0; ; hop++) {
      const hostname = stripBrackets(url.hostname);
      // Node skips `lookup` for IP literals: check those here.
      if (isIP(hostname)) assertAddress(hostname, hostname, portOf(url), allowlist);
      const response = await requestOnce(url, { method, headers, body }, allowlist, resolver, options, deadline.signal);
      const location = response.headers.location;
      if (!isRedirect(response.status) || !location || maxRedirects === 0) return response;
      if (hop >= maxRedirects) throw new AppError('url_fetch_failed', `more than ${maxRedirects} redirects`);
      const next = parseOutboundUrl(new URL(location, url));
      if (response.status === 303 || (response.status !== 307 && response.status !== 308 && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = withoutHeaders(headers, ['content-type', 'content-length']);
      }
      // Credentials meant for one origin never travel to another.
      if (next.origin !== url.origin) headers = withoutHeaders(headers, ['authorization', 'cookie']);
      url = next;
    }
  } catch (error) {
    if (deadline.signal.aborted && deadline.signal.reason instanceof AppError) throw deadline.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function requestOnce(
  url: URL,
  request: { method: string; headers: Record<string, string>; body: string | Uint8Array | undefined },
  allowlist: Allowlist,
  resolver: Resolver,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<SafeResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: request.method,
      headers: request.headers,
      // A fresh connection per request: a pooled socket would skip the connect-time check.
      agent: false,
      lookup: (hostname, lookupOptions, callback) => {
        const name = stripBrackets(hostname);
        resolveOrFail(resolver, name).then(
          (found) => {
            try {
              for (const { address } of found) assertAddress(address, name, portOf(url), allowlist);
            } catch (error) {
              callback(error as NodeJS.ErrnoException, '', 0);
              return;
            }
            const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
            const usable = family ? found.filter((a) => a.family === family) : found;
            const first = usable[0];
            if (!first) {
              callback(Object.assign(new Error(`no IPv${family} address for ${name}`), { code: 'ENOTFOUND' }), '', 0);
            } else if (lookupOptions.all) {
              (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, usable);
            } else {
              callback(null, first.address, first.family);
            }
          },
          (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
        );
      },
    });
    const abort = () => req.destroy(signal.reason as Error);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    const done = () => signal.removeEventListener('abort', abort);
    req.on('error', (error) => {
      done();
      reject(toFetchError(error, url));
    });
    req.on('response', (res) => {
      readCapped(res, options.maxBytes, options.overflow ?? 'error').then(
        ({ body, truncated }) => {
          done();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, url: url.href, truncated });
        },
        (error: unknown) => {
          done();
          reject(toFetchError(error, url));
        },
      );
    });
    req.end(request.body);
  });
}

function readCapped(
  res: IncomingMessage,
  maxBytes: number,
  overflow: 'error' | 'truncate',
): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (overflow === 'error' && Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      reject(tooLarge(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > maxBytes) {
        settled = true;
        res.destroy();
        if (overflow === 'error') reject(tooLarge(maxBytes));
        else resolve({ body: Buffer.concat([...chunks, chunk.subarray(0, maxBytes - size)]), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ body: Buffer.concat(chunks), truncated: false });
    });
    res.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    res.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('connection closed before the body was complete'));
    });
  });
}

const tooLarge = (maxBytes: number) => new AppError('url_too_large', `the answer is larger than ${maxBytes} bytes`);

function toFetchError(error: unknown, url: URL): AppError {
  if (error instanceof AppError) return error;
  const err = error as NodeJS.ErrnoException;
  return new AppError('url_fetch_failed', `request to ${url.origin} failed: ${err.code ?? err.message}`, {
    cause: error,
    details: { code: err.code },
  });
}

/** Only absolute http(s) URLs; anything else (file:, gopher:, data:...) is refused. */
export function parseOutboundUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = input instanceof URL ? input : new URL(input);
  } catch {
    throw new AppError('url_not_allowed', 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('url_not_allowed', `scheme "${url.protocol.slice(0, -1)}" is not allowed; use http or https`);
  }
  if (url.hostname === '') throw new AppError('url_not_allowed', 'the URL has no host');
  return url;
}

async function resolveOrFail(resolver: Resolver, hostname: string): Promise<ResolvedAddress[]> {
  let found: ResolvedAddress[];
  try {
    found = await resolver(hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('url_fetch_failed', `cannot resolve host "${hostname}"${code ? ` (${code})` : ''}`, {
      cause: error,
      details: { host: hostname, code },
    });
  }
  if (found.length === 0) throw new AppError('url_fetch_failed', `host "${hostname}" has no address`);
  return found;
}

function assertAddress(address: string, hostname: string, port: number, allowlist: Allowlist): void {
  const verdict = checkAddress(address, hostname, port, allowlist);
  if (!verdict.allowed) {
    throw new AppError(
      'url_not_allowed',
      `host "${hostname}" port ${port} resolves to a refused address (${verdict.reason})`,
      { details: { host: hostname, port, address, reason: verdict.reason } },
    );
  }
}

/** The port a connection to this URL uses (every redirect hop is judged with its own). */
const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}
