import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.ts';
import { TestSystem } from '../support/system.ts';

/** The images README's examples send (examples/) get the answers README shows. */
describe('examples/ images through the real system', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
  });
  afterAll(async () => {
    await system?.stop();
  });

  for (const [file, label] of [
    ['leaf.jpg', 'healthy'],
    ['rust-leaf.jpg', 'rust'],
  ] as const) {
    it(`examples/${file} is ${label}, as curl -F image=@examples/${file} -H 'Prefer: wait=10' sends it`, async () => {
      const form = new FormData();
      form.set('image', new Blob([readFileSync(path.join(ROOT, 'examples', file))]), file);
      const response = await fetch(system.url('/v1/jobs'), {
        method: 'POST',
        body: form,
        headers: { prefer: 'wait=10' },
      });
      expect(response.status).toBe(200);
      const job = (await response.json()) as JobView;
      expect(job.status).toBe('succeeded');
      expect(job.result?.predictions[0]?.label).toBe(label);
      console.log(`examples/${file}: ${JSON.stringify(job.result?.predictions[0])}`);
    });
  }
});
