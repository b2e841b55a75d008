import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliCommand, uniqueImage } from '../../test/support/cli.ts';
import { CpuMeter } from '../lib/proc.ts';
import { type BenchModel, startOurs } from '../lib/systems.ts';
import { MODELS, MODELS_DIR } from '../options.ts';
import type { CliResult } from '../report/results.ts';

const IMAGES = 1000;
const CONCURRENCY = 16;
const ROUNDS = 2;

/**
 * `infer` as a process under bash, which waits for it and then prints its own /proc/<pid>/stat: fields 16 and 17
 * (cutime, cstime) are the CPU of the children it waited for, the CLI's whole life included (tsx's start-up too).
 */
function runCliMeasured(args: string[], env: Record<string, string>, cwd: string) {
  const command = cliCommand(args)
    .map((part) => `'${part}'`)
    .join(' ');
  const started = performance.now();
  return new Promise<{ seconds: number; cpuMs: number; code: number; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', ['-c', `${command} >/dev/null; code=$?; cat /proc/$$/stat; exit $code`], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const fields = stdout.slice(stdout.lastIndexOf(')') + 2).split(' ');
      // After the command name, field 3 is index 0: cutime (16) and cstime (17) are indexes 13 and 14, in ticks.
      const cpuMs = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
      resolve({ seconds: (performance.now() - started) / 1000, cpuMs, code: code ?? -1, stderr });
    });
  });
}

/** Writes `count` distinct small PNGs (distinct: the result cache, if on, must not serve either side). */
async function writeImages(dir: string, offset: number, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `${i}.png`);
    writeFileSync(file, await uniqueImage(offset + i, 'png', 64));
    files.push(file);
  }
  return files;
}

/**
 * `infer classify` over 1,000 small images against the load generator (a closed loop at the same concurrency,
 * `Prefer: wait`, 1,000 other distinct images) on the same system, in turns: images/s of each, and the CLI's
 * own CPU per image (from /proc, its start-up included and also given apart).
 */
export async function cliThroughput(): Promise<CliResult> {
  const work = mkdtempSync(path.join(tmpdir(), 'infer-bench-cli-'));
  const ours = await startOurs(MODELS_DIR, MODELS[0] as BenchModel);
  try {
    const env = { INFER_API_URL: ours.url, INFER_API_KEY: '' };
    // Warm both paths: the worker's model, the API, and tsx's compile cache for the CLI.
    const warm = (await writeImages(path.join(work, 'warm'), 50_000, 20)).map((file) => readFileSync(file));
    await Promise.all(warm.map((image) => ours.send(image)));
    const startup = await runCliMeasured(['health'], env, work);

    // Rounds in turns (generator, CLI, generator, CLI), each on images of its own, so that a shared host's drift
    // falls on both alike; the figures are means over the rounds.
    const rounds: { generator: number; cli: number; cliWall: number; cliCpuMs: number; server: [number, number] }[] =
      [];
    const serverCpuMsPerImage = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0) / IMAGES;
    for (let round = 0; round < ROUNDS; round++) {
      const images = (await writeImages(path.join(work, `generator-${round}`), round * 2 * IMAGES, IMAGES)).map(
        (file) => readFileSync(file),
      );
      let next = 0;
      const meter = new CpuMeter(ours.pids);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < IMAGES) await ours.send(images[next++] as Buffer);
        }),
      );
      const generatorSeconds = (performance.now() - started) / 1000;
      const generatorCpu = meter.read();

      const folder = `cli-${round}`;
      await writeImages(path.join(work, folder), (round * 2 + 1) * IMAGES, IMAGES);
      const out = path.join(work, `results-${round}.jsonl`);
      const cliMeter = new CpuMeter(ours.pids);
      const cli = await runCliMeasured(
        ['classify', folder, '--out', out, '--concurrency', String(CONCURRENCY)],
        env,
        work,
      );
      const cliServerCpu = cliMeter.read();
      if (cli.code !== 0) throw new Error(`infer classify exited with ${cli.code}: ${cli.stderr}`);
      const records = readFileSync(out, 'utf8').trim().split('\n').length;
      if (records !== IMAGES) throw new Error(`infer classify wrote ${records} records, not ${IMAGES}`);
      const inRun = /scored in [\d.]+ s: ([\d.]+) images\/s/.exec(cli.stderr);
      rounds.push({
        generator: IMAGES / generatorSeconds,
        cli: inRun ? Number(inRun[1]) : IMAGES / cli.seconds,
        cliWall: IMAGES / cli.seconds,
        cliCpuMs: cli.cpuMs,
        server: [serverCpuMsPerImage(generatorCpu), serverCpuMsPerImage(cliServerCpu)],
      });
      console.log(`cli round ${round + 1}: ${JSON.stringify(rounds.at(-1))}`);
    }
    const mean = (pick: (round: (typeof rounds)[number]) => number) =>
      rounds.reduce((sum, round) => sum + pick(round), 0) / rounds.length;
    const result: CliResult = {
      images: IMAGES,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      generatorImagesPerSecond: mean((r) => r.generator),
      cliImagesPerSecond: mean((r) => r.cli),
      cliWallImagesPerSecond: mean((r) => r.cliWall),
      cliCpuMsPerImage: mean((r) => r.cliCpuMs) / IMAGES,
      cliStartupCpuMs: startup.cpuMs,
      cliCpuMsPerImageAfterStartup: (mean((r) => r.cliCpuMs) - startup.cpuMs) / IMAGES,
      serverCpuMsPerImage: { generator: mean((r) => r.server[0]), cli: mean((r) => r.server[1]) },
    };
    console.log(`cli: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await ours.close();
    rmSync(work, { recursive: true, force: true });
  }
}
