import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/faults/**', 'test/containers/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    // expect.poll's default of 1 s is shorter than a page render (Swagger UI's bundle) on
    // two loaded cores; a poll still fails fast on a wrong value once it has settled.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    // Two cores: end-to-end files start real processes; keep parallelism modest.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default'],
  },
});
