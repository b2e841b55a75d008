import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ServiceProcess } from '../support/processes.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';

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

  it.each([
    ['worker', 'apps/worker/src/main.ts', 'WORKER_PORT'],
    ['dispatcher', 'apps/webhook-dispatcher/src/main.ts', 'DISPATCHER_PORT'],
  ])('stops the %s with one fatal line when its probe port is taken', async (name, entry, setting) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      const service = new ServiceProcess(name, entry, {
        [setting]: port,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: uniquePrefix('port'),
        WEBHOOK_SECRET: `whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`,
      });
      expect(await service.waitForExit()).toBe(1);
      expect(service.logs).toContain(`cannot serve probes on ${setting}`);
    } finally {
      taken.close();
    }
  });
});
