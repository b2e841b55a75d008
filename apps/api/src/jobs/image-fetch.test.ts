import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { ImageFetcher } from './image-fetch.ts';

describe('ImageFetcher (real HTTP server on 127.0.0.1, real ssrf-guard)', () => {
  let server: Server;
  let port: number;
  let png: Buffer;

  beforeAll(async () => {
    png = await solidImage(COLOURS.green, 'png', 16);
    server = createServer((_req, res) => res.writeHead(200).end(png));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  const fetcher = (allowlist: string[], names: Record<string, string> = {}) =>
    new ImageFetcher({
      timeoutMs: 5000,
      maxBytes: 1024 * 1024,
      maxRedirects: 2,
      allowlist,
      // A name server we control: names resolve where the test says.
      lookup: async (hostname) => {
        const address = names[hostname];
        if (!address) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        return [{ address, family: address.includes(':') ? 6 : 4 }];
      },
    });

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  };

  it('refuses a public-looking name that resolves to a private address (checked at connect time)', async () => {
    const error = await refusal(
      fetcher([], { 'images.example.com': '127.0.0.1' }).fetch(`http://images.example.com:${port}/a.png`, 'image_url'),
    );
    expect(error.code).toBe('url_not_allowed');
    expect(error.details).toMatchObject({ field: 'image_url' });
    for (const address of ['10.0.0.7', '169.254.169.254', '::1', 'fd00::1', '100.64.0.1']) {
      const refused = await refusal(
        fetcher([], { 'cdn.example.com': address }).fetch(`http://cdn.example.com:${port}/a.png`, 'image_url'),
      );
      expect(refused.code, address).toBe('url_not_allowed');
    }
  });

  it('fetches the same name once its address is allow-listed, and names the field on failures', async () => {
    const allowed = fetcher(['127.0.0.1'], { 'images.example.com': '127.0.0.1' });
    expect(await allowed.fetch(`http://images.example.com:${port}/a.png`, 'image_url')).toEqual(png);
    const unknown = await refusal(allowed.fetch('http://nowhere.example.com/a.png', 'images[3].image_url'));
    expect(unknown.code).toBe('url_fetch_failed');
    expect(unknown.details).toMatchObject({ field: 'images[3].image_url' });
  });
});
