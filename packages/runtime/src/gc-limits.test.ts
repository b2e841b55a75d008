import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./gc-limits.ts', import.meta.url));

/**
 * A child process with a live heap like a service's churns 1 GB of 512 KB Buffers, each
 * kept for a few turns of the event loop as a request keeps its body; it answers how many
 * full (major) GCs ran and what V8 printed.
 */
function majorCollections(weighed: boolean): { majors: number; stderr: string } {
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { weighExternalMemoryWithHeap } from ${JSON.stringify(MODULE)};
    if (${weighed}) weighExternalMemoryWithHeap();
    let majors = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    }).observe({ entryTypes: ['gc'] });
    const live = Array.from({ length: 400000 }, (_, i) => ({ i, name: 'item-' + i }));
    const inFlight = [];
    for (let i = 0; i < 2000; i++) {
      const body = Buffer.allocUnsafe(512 * 1024);
      body[0] = i;
      inFlight[i % 32] = body;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(JSON.stringify({ majors, live: live.length }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`the GC probe failed: ${child.stderr}`);
  return { majors: (JSON.parse(child.stdout.trim()) as { majors: number }).majors, stderr: child.stderr };
}

describe('weighExternalMemoryWithHeap', () => {
  it('makes Buffer churn trigger a fraction of the full GCs it triggers by default (and V8 knows the flag)', () => {
    const byDefault = majorCollections(false);
    const weighed = majorCollections(true);
    expect(byDefault.majors).toBeGreaterThanOrEqual(4);
    expect(weighed.majors).toBeLessThanOrEqual(byDefault.majors / 3);
    // V8 only warns about a flag it does not know (a Node upgrade could drop it).
    expect(weighed.stderr).not.toMatch(/unrecognized flag/);
  });
});
