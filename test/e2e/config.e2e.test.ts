import { describe, expect, it } from 'vitest';
import { ServiceProcess } from '../support/processes.ts';

describe('invalid configuration', () => {
  it.each([
    ['api', 'apps/api/src/main.ts'],
    ['worker', 'apps/worker/src/main.ts'],
  ])('stops the %s with one line naming every bad variable', async (name, entry) => {
    const service = new ServiceProcess(name, entry, { PORT: 'http', MAX_BATCH_SIZE: '0', LOG_LEVEL: 'chatty' });
    expect(await service.waitForExit()).toBe(78);
    const lines = service.logs.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: /);
    for (const variable of ['PORT="http"', 'MAX_BATCH_SIZE="0"', 'LOG_LEVEL="chatty"'])
      expect(lines[0]).toContain(variable);
  });
});
