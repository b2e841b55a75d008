import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refused } from '../../../../test/support/api-answers.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

/** GET /v1/models/:name answers from the model catalog, worker or not (the app in-process on real Redis). */
describe('GET /v1/models/:name (in-process API, real Redis)', () => {
  let system: InProcessApi;

  beforeAll(async () => {
    system = await InProcessApi.start();
  });
  afterAll(async () => {
    await system?.close();
  });

  it('answers one model of the repository by name, and 404 model_not_found for another name', async () => {
    const one = await fetch(system.url('/v1/models/plant-pathology'));
    expect(((await one.json()) as { name: string }).name).toBe('plant-pathology');
    await refused(await fetch(system.url('/v1/models/nope')), 404, 'model_not_found');
  });
});
