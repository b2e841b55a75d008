/**
 * The README's start command on bare Debian 12 machines, from a clean clone of the committed
 * HEAD: one with Debian's own Node.js 18 and npm, one with Node.js 20 (bare-images.sh assembles
 * both offline). Run as root in the container, the command installs redis-server with apt,
 * pnpm with npm, fetches the pinned Node.js (.node-version), installs the dependencies on it
 * and brings the system up: /readyz answers 200 on :8080 and examples/leaf.jpg is classified.
 * Nothing it prints may read like an instruction to the user (update banners, pnpm's build
 * approvals, V8's unknown flags). Each stage's time is printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { JobView } from '@infer/contracts';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../deploy/lib/repo.ts';
import { useDockerHost } from './lib/docker-host.ts';
import { CONTAINERS_CONF } from './lib/podman.ts';

const run = promisify(execFile);

/** The README's "Two commands" block, one command a line (comments dropped): [start, test]. */
function readmeCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Two commands'));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Two commands"');
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

const [START_COMMAND] = readmeCommands(readFileSync(fromRoot('README.md'), 'utf8'));
const NODE_RELEASE = readFileSync(fromRoot('.node-version'), 'utf8').trim();
const CHECKOUT = '/root/image-inference';
/** Lines that tell the user to do something the project did not ask of them. */
const NOISE = /Update available|npm install -g npm|npm notice|approve-builds|unrecognized flag/i;
/** What the README's command prints as it goes, in order: the start of each stage. */
const STAGES: [string, RegExp][] = [
  ['apt-get install redis-server', /^installing with apt: /],
  ['npm install -g pnpm', /^installing pnpm/],
  [`fetch Node.js ${NODE_RELEASE}`, /^fetching Node\.js /],
  ['pnpm install', /^Lockfile is up to date|^Progress: resolved/],
  ['redis-server, API, worker, dispatcher up', /^started redis-server/],
];
const VARIANTS = [
  { name: 'node18', node: "Debian's Node.js 18 and npm" },
  { name: 'node20', node: 'Node.js 20' },
] as const;

let stopDockerHost: (() => Promise<void>) | undefined;
let clone: string;
const images = new Map<string, string>();

beforeAll(async () => {
  stopDockerHost = await useDockerHost();
  const started = Date.now();
  const { stdout, stderr } = await run('bash', [fromRoot('test/containers/bare-images.sh')], {
    env: { ...process.env, CONTAINERS_CONF },
    timeout: 15 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const image of stdout.trim().split('\n')) images.set(image.replace(/^.*bookworm-/, ''), image);
  console.log(`${stderr}bare images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The committed HEAD, as a fresh `git clone` has it: nothing untracked, nothing installed.
  clone = path.join(mkdtempSync(path.join(tmpdir(), 'first-run-')), 'image-inference');
  const head = (await run('git', ['-C', fromRoot(), 'rev-parse', 'HEAD'])).stdout.trim();
  await run('git', ['clone', '--quiet', '--no-checkout', fromRoot(), clone]);
  await run('git', ['-C', clone, 'checkout', '--quiet', '--detach', head]);
}, 20 * 60_000);

afterAll(async () => {
  if (clone) rmSync(path.dirname(clone), { recursive: true, force: true });
  await stopDockerHost?.();
});

describe.each(VARIANTS)(`the README's start command on bare Debian 12 with $node`, ({ name }) => {
  let container: StartedTestContainer | undefined;
  let output = '';
  let ended = false;
  const seen: { stage: string; at: number }[] = [];

  beforeAll(async () => {
    const image = images.get(name);
    if (!image) throw new Error(`bare-images.sh built no ${name} image`);
    const proxy = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => /^(https?|no)_proxy$/i.test(entry[0]) && !!entry[1],
      ),
    );
    const started = Date.now();
    container = await new GenericContainer(image)
      // Copied in, not mounted: the checkout and pnpm's store share a file system, as on a machine.
      .withCopyDirectoriesToContainer([{ source: clone, target: CHECKOUT }])
      .withWorkingDir(CHECKOUT)
      .withEnvironment(proxy)
      .withExposedPorts(8080)
      .withCommand(['bash', '-c', `exec ${START_COMMAND}`])
      .withLogConsumer((stream) => {
        let partial = '';
        stream.on('data', (chunk: Buffer | string) => {
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            output += `${line}\n`;
            const stage = STAGES.find(([label, pattern]) => pattern.test(line) && !seen.some((s) => s.stage === label));
            if (stage) seen.push({ stage: stage[0], at: Date.now() - started });
          }
        });
        stream.on('end', () => {
          ended = true;
        });
      })
      // Up once it prints anything; /readyz is awaited below, watching the command.
      .withWaitStrategy(Wait.forLogMessage(/\S/))
      .start();
    const url = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      const ready = await fetch(`${url}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) break;
      if (ended || Date.now() > deadline)
        throw new Error(
          `${ended ? `\`${START_COMMAND}\` exited` : 'no 200 from /readyz within 15 minutes'}:\n${output.split('\n').slice(-40).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const readyAt = Date.now() - started;
    const rows = seen.map(({ stage, at }, i) => {
      const end = seen[i + 1]?.at ?? readyAt;
      return `  ${stage.padEnd(42)} ${((end - at) / 1000).toFixed(1).padStart(7)} s`;
    });
    console.log(`--- ${name}: what \`${START_COMMAND}\` printed\n${output}---`);
    console.log(
      [
        `${name}: \`${START_COMMAND}\` from a clean clone to /readyz 200 in ${(readyAt / 1000).toFixed(1)} s`,
        `  ${'container start to first stage'.padEnd(42)} ${((seen[0]?.at ?? readyAt) / 1000).toFixed(1).padStart(7)} s`,
        ...rows,
      ].join('\n'),
    );
  }, 20 * 60_000);

  afterAll(async () => {
    await container?.stop({ timeout: 10 });
  }, 60_000);

  it(`serves examples/leaf.jpg with Prefer: wait, on Node.js ${NODE_RELEASE}, printing nothing to act on`, async () => {
    const started = container as StartedTestContainer;
    const form = new FormData();
    form.set('image', new Blob([readFileSync(fromRoot('examples/leaf.jpg'))]), 'leaf.jpg');
    const response = await fetch(`http://${started.getHost()}:${started.getMappedPort(8080)}/v1/jobs`, {
      method: 'POST',
      body: form,
      headers: { prefer: 'wait=30' },
    });
    const job = (await response.json()) as JobView;
    expect(response.status, JSON.stringify(job)).toBe(200);
    expect(job.status).toBe('succeeded');
    expect(job.result?.predictions[0]?.label).toBe('healthy');

    // npm itself (`npm start`) runs on the machine's Node.js; everything it starts runs on the
    // pinned release the command fetched: pnpm, start.ts, the API, the worker, the dispatcher.
    const { output: table } = await started.exec([
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do printf "%s\\t%s\\n" "$(readlink "$p/exe")" "$(tr "\\0" " " < "$p/cmdline")"; done 2>/dev/null',
    ]);
    const nodes = table
      .split('\n')
      .map((line) => line.split('\t') as [string, string])
      .filter(([exe]) => exe.endsWith('/node'));
    const pinned = `${CHECKOUT}/.cache/node/${NODE_RELEASE}/bin/node`;
    const services = nodes.filter(([, command]) => /apps\/[\w-]+\/src\/main\.ts/.test(command));
    expect(services.length, table).toBe(3); // API, worker, dispatcher
    expect(
      nodes.filter(([exe]) => exe !== pinned).map(([, command]) => command.trim().split(' ')[0]),
      table,
    ).toEqual(['npm']);

    expect(output).toContain('Image inference is running');
    expect(output.split('\n').filter((line) => NOISE.test(line))).toEqual([]);
  });
});
