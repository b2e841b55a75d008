import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema } from '@infer/config';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const markdown = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The documentation stays honest: every setting listed, every link and named file real, README short. */
describe('docs', () => {
  it('docs/configuration.md lists every environment variable of packages/config/src/env.ts', () => {
    const table = read('docs/configuration.md');
    const missing = Object.keys(envSchema.shape).filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('every relative link in README.md and docs/ points at a file that exists', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target as string)) continue;
        const resolved = path.join(ROOT, path.dirname(file), target as string);
        if (!existsSync(resolved)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('docs/how-a-job-travels.md names only files that exist', () => {
    const named = [...read('docs/how-a-job-travels.md').matchAll(/`((?:apps|packages)\/[\w./-]+\.(?:ts|lua))`/g)].map(
      ([, file]) => file as string,
    );
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('README stays a first screen (about 200 lines) and names the two commands', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(230);
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
    expect(readme).toContain('examples/leaf.jpg');
  });
});
