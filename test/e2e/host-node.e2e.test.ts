import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.ts';
import { TestSystem } from '../support/system.ts';

/**
 * The suite runs on the Node.js the images ship (scripts/dev.sh fetches it when the
 * machine's is older than the dependencies accept) and sets HOST_NODE to the machine's own
 * when the services support it (package.json engines, >= 20.11; Node 20 here). The services
 * run on it once installed (`pnpm run start:worker` and the like, on the machine's Node): the
 * API, a worker and the dispatcher must serve a job under it, through tsx, with nothing from
 * V8 about flags it does not know.
 */
const hostNode = process.env.HOST_NODE;

describe.runIf(hostNode)("local development on the machine's own Node.js (HOST_NODE)", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ node: hostNode as string, dispatcher: true });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('API, worker and dispatcher run on it and serve a job', async () => {
    const version = execFileSync(hostNode as string, ['--version'], { encoding: 'utf8' }).trim();
    expect(version).not.toBe(process.version);
    const processes = [system.api, ...system.workers, ...system.dispatchers];
    for (const service of processes) {
      expect(realpathSync(readlinkSync(`/proc/${service.child.pid}/exe`))).toBe(realpathSync(hostNode as string));
    }
    const form = new FormData();
    form.set('image', new Blob([readFileSync(path.join(ROOT, 'examples', 'rust-leaf.jpg'))]), 'rust-leaf.jpg');
    const response = await fetch(system.url('/v1/jobs'), {
      method: 'POST',
      body: form,
      headers: { prefer: 'wait=20' },
    });
    const job = (await response.json()) as JobView;
    expect(job).toMatchObject({ status: 'succeeded' });
    expect(job.result?.predictions[0]?.label).toBe('rust');
    // Each main.ts sets a V8 flag that Node 24's V8 knows and Node 20's does not: set only where known.
    for (const service of processes) expect(service.logs, service.name).not.toMatch(/unrecognized flag/);
    console.log(`served on ${version} (tests on ${process.version})`);
  }, 60_000);
});
