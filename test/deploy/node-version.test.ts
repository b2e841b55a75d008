import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './lib/dockerfile.ts';
import { readText } from './lib/repo.ts';

/** One Node.js release everywhere it ships: .node-version, every Dockerfile, the assembled base. */
describe('the pinned Node.js release', () => {
  const pinned = readText('.node-version').trim();

  it('is an exact version of an LTS line that is still supported (24.x)', () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
  });

  it.each(readdirSync('docker').filter((f) => f.endsWith('.Dockerfile')))('docker/%s builds on it', (file) => {
    const dockerfile = parseDockerfile(readText(`docker/${file}`));
    expect(dockerfile.globalArgs.get('NODE_VERSION')).toBe(pinned);
    const nodeStages = dockerfile.stages.filter((stage) => stage.image.startsWith('node:'));
    expect(nodeStages.length).toBeGreaterThan(0);
    for (const stage of nodeStages) expect(stage.image).toBe(`node:${pinned}-bookworm-slim`);
  });

  it('is what the base images and the test toolchain take (scripts/lib/node-release.sh reads .node-version)', () => {
    expect(readText('scripts/lib/node-release.sh')).toContain('.node-version');
    expect(readText('test/containers/base-images.sh')).toContain('node_release_dir');
    expect(readText('test/containers/base-images.sh')).toContain('docker.io/library/node:$NODE_RELEASE-bookworm-slim');
  });
});
