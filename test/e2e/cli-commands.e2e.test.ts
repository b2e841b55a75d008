import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { SCHEMA_FILE, schemaSource } from '../../packages/client/src/codegen/schema-source.ts';
import { runCli, uniqueImage } from '../support/cli.ts';
import { TestSystem } from '../support/system.ts';

/**
 * The CLI's other commands and its answers to bad input, against an API with keys on and a queue kept
 * short (MAX_QUEUE_DEPTH=2), so that a classify run at a higher concurrency meets 429 queue_full and rides it out.
 */
describe('infer: bad input, 429s, jobs, models, health (real API with auth and a short queue)', () => {
  let system: TestSystem;
  let work: string;
  const key = randomBytes(24).toString('base64url');
  const env = () => ({ INFER_API_URL: system.apiUrl, INFER_API_KEY: key });

  beforeAll(async () => {
    const digest = createHash('sha256').update(key).digest('hex');
    system = await TestSystem.start({ workers: 1, env: { API_KEYS: `cli:${digest}`, MAX_QUEUE_DEPTH: '2' } });
    work = mkdtempSync(path.join(tmpdir(), 'infer-cli-cmd-'));
    mkdirSync(path.join(work, 'images'));
    mkdirSync(path.join(work, 'empty'));
    writeFileSync(path.join(work, 'empty', 'readme.txt'), 'no images here\n');
    for (let i = 0; i < 20; i++)
      writeFileSync(path.join(work, 'images', `${i}.png`), await uniqueImage(500 + i, 'png'));
  });
  afterAll(async () => {
    await system?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('rides out 429 queue_full: every image succeeds, and the summary counts the retries', async () => {
    const out = path.join(work, 'busy.jsonl');
    const run = await runCli(['classify', 'images', '--out', out, '--concurrency', '16'], env(), work);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/20 inputs: 20 succeeded, 0 failed/);
    expect(run.stderr).toMatch(/, [1-9]\d* retries after 429\/503/);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(20);
  }, 180_000);

  it('lists, gets, watches and cancels jobs; lists models; reports health', async () => {
    const listed = await runCli(['jobs', 'list', '--json', '--limit', '5', '--all'], env(), work);
    expect(listed.code, listed.stderr).toBe(0);
    const jobs = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; status: string });
    expect(jobs).toHaveLength(20);
    const id = (jobs[0] as { id: string }).id;

    const got = await runCli(['jobs', 'get', id], env(), work);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, status: 'succeeded' });
    const watched = await runCli(['jobs', 'watch', id], env(), work);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(new RegExp(`^${id}  succeeded  plant-pathology@1 .* \\w+ \\d\\.\\d{3}$`, 'm'));
    const canceled = await runCli(['jobs', 'cancel', id], env(), work);
    expect(canceled.code).toBe(2);
    expect(canceled.stderr).toMatch(/^infer: the API answered 409 job_not_cancelable: /m);

    const models = await runCli(['models'], env(), work);
    expect(models.stdout).toMatch(/^plant-pathology {2}versions 1 \(default 1\) {2}1 workers {2}available/m);
    const health = await runCli(['health'], env(), work);
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^live: ok, ready: yes \(redis ok, 1 workers\)/);
  }, 60_000);

  it('the SDK’s checked-in types are what the served /openapi.json makes (regenerated from the live document)', async () => {
    const live = await (await fetch(system.url('/openapi.json'))).json();
    expect(readFileSync(SCHEMA_FILE, 'utf8') === (await schemaSource(live)), 'run pnpm run generate:client').toBe(true);
  });

  it('says what is wrong, in one line and a non-zero exit', async () => {
    const cases: { args: string[]; env: Record<string, string>; line: RegExp }[] = [
      {
        args: ['classify', 'images'],
        env: { INFER_API_URL: `http://127.0.0.1:${await freePort()}` },
        line: /^infer: cannot reach the API at http:\/\/127\.0\.0\.1:\d+: connection refused$/,
      },
      {
        args: ['classify', 'images'],
        env: { INFER_API_KEY: 'wrong' },
        line: /^infer: the API refused the credentials \(401 unauthorized: .*\); pass --api-key or set INFER_API_KEY$/,
      },
      {
        args: ['classify', 'images', '--model', 'no-such-model'],
        env: {},
        line: /^infer: unknown model "no-such-model"; the API serves: plant-pathology$/,
      },
      {
        args: ['classify', 'images', '--model', 'plant-pathology:9'],
        env: {},
        line: /^infer: model "plant-pathology" has no version "9"; it has: 1$/,
      },
      {
        args: ['classify', 'empty'],
        env: {},
        line: /^infer: no JPEG, PNG or WebP images in empty \(1 other files left out\)$/,
      },
      {
        args: ['classify', 'missing-folder'],
        env: {},
        line: /^infer: no such file, folder or glob match: missing-folder$/,
      },
      { args: ['classify', 'images', '--resume'], env: {}, line: /^infer: --resume needs --out/ },
    ];
    // --fail-fast: the first input (a named file that is not an image) fails, and no other is started.
    const out = path.join(work, 'fail-fast.jsonl');
    const failFast = await runCli(
      ['classify', 'empty/readme.txt', 'images', '--fail-fast', '--concurrency', '1', '--out', out],
      env(),
      work,
    );
    expect(failFast.code).toBe(1);
    expect(failFast.stderr).toMatch(/stopped at the first failure \(--fail-fast\): empty\/readme.txt: not_an_image/);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);

    for (const { args, env: extra, line } of cases) {
      const run = await runCli(args, { ...env(), ...extra }, work);
      expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(2);
      expect(run.stderr.trim(), args.join(' ')).toMatch(line);
      expect(run.stdout).toBe('');
    }
  }, 120_000);
});
