import { describe, expect, it } from 'vitest';
import { ServiceProcess } from '../support/processes.ts';

describe('API configuration checked against the model repository', () => {
  it('stops with one line when DEFAULT_MODEL is not a model of MODEL_REPOSITORY', async () => {
    // A Redis nobody listens on: without the check the API would exit 1 (Redis unreachable), not 78.
    const api = new ServiceProcess('api', 'apps/api/src/main.ts', {
      DEFAULT_MODEL: 'plant-pathologyy',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    try {
      expect(await api.waitForExit(15_000)).toBe(78);
    } finally {
      await api.stop('SIGKILL', 5000);
    }
    const lines = api.logs.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: DEFAULT_MODEL="plant-pathologyy": .*plant-pathology\)$/);
  });
});
