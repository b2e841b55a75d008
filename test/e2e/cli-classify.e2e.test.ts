import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InferClient, type Job } from '@infer/client';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, type ImageFolder, runCli, spawnCli, writeImageFolder } from '../support/cli.ts';
import { TestSystem } from '../support/system.ts';

interface Row {
  path: string;
  sha256: string | null;
  job_id: string | null;
  status: string;
  label: string | null;
  score: number | null;
  top_k: { label: string; score: number }[];
  error: string | null;
}

const jsonl = (file: string): Row[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);

const waitFor = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * `infer classify` against a real API and workers with the reference model: 300 inputs (tiny images, corrupt ones,
 * an unreadable entry, and other files it must leave out), killed mid-run and resumed; CSV; a terminal.
 */
describe('infer classify (real API and workers)', () => {
  let system: TestSystem;
  let work: string;
  let folder: ImageFolder;
  const env = () => ({ INFER_API_URL: system.apiUrl });

  beforeAll(async () => {
    system = await TestSystem.start({ workers: 2 });
    work = mkdtempSync(path.join(tmpdir(), 'infer-cli-'));
    folder = await writeImageFolder(path.join(work, 'leaves'), { images: 291, corrupt: 8, notImages: 6 });
  });
  afterAll(async () => {
    await system?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('killed with SIGKILL mid-run and rerun with --resume: one record per input, at most one job per image', async () => {
    expect(folder.inputs).toHaveLength(300);
    const out = path.join(work, 'results.jsonl');
    const first = spawnCli(['classify', 'leaves', '--out', out, '--concurrency', '8'], env(), work);
    await waitFor(() => {
      try {
        return readFileSync(out, 'utf8').split('\n').length > 80;
      } catch {
        return false;
      }
    }, 60_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const beforeResume = jsonl(out).length;
    expect(beforeResume).toBeLessThan(300);

    const second = await runCli(['classify', 'leaves', '--out', out, '--resume', '--concurrency', '8'], env(), work);
    expect(second.stderr).toMatch(/already succeeded in/);
    expect(second.stderr).toMatch(/300 inputs: \d+ succeeded, \d+ failed, 0 canceled, 1 errors, \d+ already done/);
    expect(second.stderr).toMatch(/images\/s, latency p50 \d+ ms, p95 \d+ ms/);
    expect(second.stderr).toMatch(/left out 6 files that are not JPEG, PNG or WebP/);
    // Failures (corrupt images, the unreadable entry) make the exit status 1.
    expect(second.code, second.stderr).toBe(1);

    const rows = jsonl(out);
    expect(rows.map((row) => row.path).sort()).toEqual(folder.inputs);
    const byPath = new Map(rows.map((row) => [row.path, row]));
    for (const corrupt of folder.corrupt) {
      expect(byPath.get(corrupt)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^invalid_image/) });
    }
    expect(byPath.get(folder.unreadable[0] as string)).toMatchObject({ status: 'error', job_id: null });
    const succeeded = rows.filter((row) => row.status === 'succeeded');
    expect(succeeded).toHaveLength(291);
    for (const row of succeeded) {
      expect(row.label).toBe(row.top_k[0]?.label);
      expect(row.top_k).toHaveLength(3);
      expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    }

    // The server made one job per distinct image, however many times the first run's submissions were repeated.
    const client = new InferClient({ baseUrl: system.apiUrl });
    const jobs: Job[] = [];
    for await (const job of client.listAll({ limit: 100 })) jobs.push(job);
    const images = new Set(rows.flatMap((row) => (row.sha256 ? [row.sha256] : [])));
    expect(jobs.length).toBe(images.size);
    expect(new Set(jobs.map((job) => job.id))).toEqual(
      new Set(rows.flatMap((row) => (row.job_id ? [row.job_id] : []))),
    );
  }, 240_000);

  it('writes CSV that parses, and refuses to clobber it without --resume or --overwrite', async () => {
    const out = path.join(work, 'results.csv');
    const run = await runCli(
      ['classify', 'leaves/part-1', 'leaves/corrupt/*.png', '--out', out, '-k', '2'],
      env(),
      work,
    );
    expect(run.code, run.stderr).toBe(1);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const expected = folder.inputs.filter((input) => input.startsWith('leaves/part-1/') || input.includes('/corrupt/'));
    expect(rows.map((row) => row.path).sort()).toEqual(expected);
    const ok = rows.find((row) => row.status === 'succeeded') as Record<string, string>;
    expect(JSON.parse(ok.top_k as string)).toHaveLength(2);
    expect(Number(ok.score)).toBeGreaterThan(0);

    const again = await runCli(['classify', 'leaves/part-1', '--out', out], env(), work);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds results: pass --resume/);
  }, 120_000);

  it('draws a progress bar under a terminal, and plain lines without one', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal and copies what it drew to its own stdout.
    const command = cliCommand(['classify', 'leaves/part-2/sub-0', '--out', path.join(work, 'tty.jsonl')])
      .map((part) => `'${part}'`)
      .join(' ');
    const terminal = spawnSync('script', ['-qfec', command, '/dev/null'], {
      cwd: work,
      env: { ...process.env, INFER_API_URL: system.apiUrl },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(terminal.status, terminal.stdout + terminal.stderr).toBe(0);
    const underTerminal = terminal.stdout;
    expect(underTerminal).toMatch(/█/);
    expect(underTerminal).toMatch(/\d+\/\d+ \| [\d.]+ images\/s \| ETA/);

    const plain = await runCli(
      ['classify', 'leaves/part-3/sub-0', '--out', path.join(work, 'plain.jsonl'), '--progress-interval', '1'],
      env(),
      work,
    );
    expect(plain.stderr).toMatch(/^infer: \d+\/\d+ \(\d+ %\), [\d.]+ images\/s, ETA/m);
    expect(plain.stderr).not.toMatch(/█/);
  }, 120_000);
});
