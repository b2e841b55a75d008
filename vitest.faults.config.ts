import { defineConfig } from 'vitest/config';

/** `pnpm test:faults`: real processes under injected faults, and the submit fuzz (see docs/reliability.md). */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // One scenario at a time: each starts several processes and times its faults.
    fileParallelism: false,
    reporters: ['default'],
  },
});
