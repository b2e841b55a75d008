import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { ROOT } from '../support/processes.ts';
import { TestSystem } from '../support/system.ts';

/** Screenshots land here (CI keeps the test output); docs/images/console.png is the README's. */
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Debian's Chromium, headless, as root in CI: no sandbox, nothing that reaches out to the internet.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Requests the page makes to anywhere but the API: finished ones, and failed ones other than those its
 * Content-Security-Policy blocked in the browser (which never reach the network).
 */
function foreignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  const blockedByPolicy = (reason: string | undefined) => ['csp', 'net::ERR_BLOCKED_BY_CSP'].includes(reason ?? '');
  page.on('requestfinished', (request) => {
    if (!request.url().startsWith(origin)) foreign.push(request.url());
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    if (!request.url().startsWith(origin) && !blockedByPolicy(reason)) foreign.push(`${request.url()} (${reason})`);
  });
  return foreign;
}

async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${path.relative(ROOT, file)}`);
  return file;
}

/** The console, the API reference and the queue dashboard in a real browser against the real system. */
describe('web console, /docs and /admin/queues in Chromium (real API, worker, Redis)', () => {
  let system: TestSystem;
  let browser: Browser;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    const dir = path.join(ROOT, 'test-output', 'console-images');
    mkdirSync(dir, { recursive: true });
    files.green = path.join(dir, 'green-leaf.png');
    writeFileSync(files.green, await solidImage(COLOURS.green, 'png', 96));
    files.rust = path.join(dir, 'rusty-leaf.jpg');
    writeFileSync(files.rust, await solidImage(COLOURS.orangeBrown, 'jpeg', 96));
    files.corrupt = path.join(dir, 'not-an-image.png');
    writeFileSync(files.corrupt, 'this is a text file with an image name');
    // A JPEG cut short: the API takes it (its magic bytes are right), the worker cannot decode it.
    files.truncated = path.join(dir, 'cut-short.jpg');
    const whole = await solidImage(COLOURS.yellow, 'jpeg', 96);
    writeFileSync(files.truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    system = await TestSystem.start({ workers: 1 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('classifies a green and an orange-brown leaf (healthy, rust on top) and shows the API message for a corrupt file', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(system.url('/'));
    await expect.poll(() => page.locator('#model option').first().textContent()).toContain('plant-pathology');
    await expect.poll(() => page.locator('#model-status').textContent()).toContain('1 worker(s) live');

    // The picker is a real, labelled file input: keyboard users reach it with Tab.
    await page.locator('#files').setInputFiles([files.green as string, files.rust as string]);
    const job = (name: string) => page.locator('li.job', { hasText: name });
    await expect.poll(() => job('green-leaf.png').getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded');
    await expect.poll(() => job('rusty-leaf.jpg').getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded');
    expect(await job('green-leaf.png').locator('.scores li.top .label').textContent()).toBe('healthy');
    expect(await job('rusty-leaf.jpg').locator('.scores li.top .label').textContent()).toBe('rust');
    // Scores are read out as text, not only drawn.
    expect(await job('rusty-leaf.jpg').locator('.scores li.top .bar').getAttribute('aria-label')).toMatch(
      /^rust \d+\.\d percent$/,
    );
    expect(await job('green-leaf.png').locator('.scores li').count()).toBe(4);

    await page.locator('#files').setInputFiles([files.corrupt as string]);
    await expect.poll(() => job('not-an-image.png').getAttribute('data-status')).toBe('failed');
    expect(await job('not-an-image.png').locator('.status').textContent()).toContain(
      'the image must be JPEG, PNG or WebP',
    );
    // A decoder failure reads as one sentence, not libvips' text.
    await page.locator('#files').setInputFiles([files.truncated as string]);
    await expect.poll(() => job('cut-short.jpg').getAttribute('data-status'), { timeout: 20_000 }).toBe('failed');
    expect(await job('cut-short.jpg').locator('.status').textContent()).toBe(
      'failed: the image is truncated or not a valid JPEG',
    );
    expect(await page.locator('#jobs').getAttribute('aria-live')).toBe('polite');
    await shoot(page, 'console');
    await page.close();
  });

  it('/docs renders the API reference from /openapi.json, listing /v1/jobs, with nothing fetched from elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // Stricter than foreignRequests: our own pages must not even try to reach elsewhere.
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(system.apiUrl)) foreign.push(request.url());
    });
    await page.goto(system.url('/docs'));
    await expect.poll(() => page.locator('.opblock-summary-path', { hasText: '/v1/jobs' }).count()).toBeGreaterThan(0);
    expect(await page.locator('.opblock-summary-path[data-path="/v1/jobs"]').count()).toBeGreaterThan(0);
    // Swagger UI renders what it cannot take from the document as a warning box: there is none.
    expect(await page.locator('body').textContent()).not.toMatch(/not supported|could not render|Errors/);
    expect(foreign).toEqual([]);
    await shoot(page, 'docs');
    await page.close();
  });

  it('/admin/queues shows the inference queue and the webhook queue', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    // bull-board's page names web fonts on the internet: its Content-Security-Policy must stop them in the browser.
    const foreign = foreignRequests(page, system.apiUrl);
    await page.goto(system.url('/admin/queues'));
    await expect
      .poll(() => page.getByText('inference.plant-pathology').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await expect.poll(() => page.getByText('webhooks', { exact: true }).count()).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    await shoot(page, 'queues');
    await page.close();
  });

  it('with auth on, asks for the key once and keeps it for the tab', async () => {
    const key = randomBytes(24).toString('base64url');
    const secured = await TestSystem.start({
      workers: 0,
      env: { API_KEYS: `console:${createHash('sha256').update(key).digest('hex')}` },
    });
    const page = await browser.newPage();
    try {
      await page.goto(secured.url('/'));
      await expect.poll(() => page.locator('#form-error').textContent()).toContain('requires an API key');
      expect(await page.locator('#api-key:focus').count()).toBe(1);
      await page.locator('#api-key').fill(key);
      await page.locator('#api-key').press('Tab');
      await expect.poll(() => page.locator('#model option').first().textContent()).toContain('plant-pathology');
      await page.locator('#files').setInputFiles([files.green as string]);
      await expect.poll(() => page.locator('li.job').getAttribute('data-status')).toBe('queued');
      // Kept in sessionStorage: a reload needs no second entry.
      await page.reload();
      expect(await page.locator('#api-key').inputValue()).toBe(key);
      await expect.poll(() => page.locator('#model option').first().textContent()).toContain('plant-pathology');
    } finally {
      await page.close();
      await secured.stop();
    }
  });
});
