import { defineConfig } from 'vitest/config';

/** `pnpm test:containers`: the real images and docker/compose.yaml under podman (test/containers/). */
export default defineConfig({
  test: {
    include: ['test/containers/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 20 * 60_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
