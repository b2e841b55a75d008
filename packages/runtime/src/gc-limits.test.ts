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

  // HOST_NODE: the machine's own Node.js when scripts/dev.sh runs the suite on a newer one (20 here).
  const nodes = [...new Set([process.execPath, process.env.HOST_NODE].filter((node): node is string => !!node))];
  it.each(nodes)('sets the flag on %s exactly where its V8 lists it, and V8 prints nothing', (node) => {
    const listed = spawnSync(node, ['--v8-options'], { encoding: 'utf8' }).stdout.includes(
      '--external-memory-accounted-in-global-limit',
    );
    const script = `
      import { v8KnowsExternalMemoryInGlobalLimit, weighExternalMemoryWithHeap } from ${JSON.stringify(MODULE)};
      weighExternalMemoryWithHeap();
      console.log(JSON.stringify({ v8: process.versions.v8, knows: v8KnowsExternalMemoryInGlobalLimit() }));
    `;
    const child = spawnSync(node, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { v8: version, knows } = JSON.parse(child.stdout.trim()) as { v8: string; knows: boolean };
    expect(knows, `V8 ${version}`).toBe(listed);
    expect(child.stderr).not.toMatch(/unrecognized flag/);
  });
});
