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

const JOURNEY = 'docs/how-a-job-travels.md';

/** The source files a piece of markdown names, as `apps/…` or `packages/…` paths in backticks. */
function namedFiles(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/`((?:apps|packages)\/[\w./-]+\.(?:ts|mjs|lua))`/g)].map(([, file]) => file as string),
  );
}

/** Each `## heading` of a page -> the text under it, up to the next one. */
function sectionsOf(page: string): Map<string, string> {
  return new Map(
    page
      .split(/^## /m)
      .slice(1)
      .map((section) => {
        const end = section.indexOf('\n');
        return [section.slice(0, end).trim(), section.slice(end + 1)] as const;
      }),
  );
}

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
    const named = [...namedFiles(read(JOURNEY))];
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('docs/how-a-job-travels.md states how many distinct files its steps name', () => {
    const sections = sectionsOf(read(JOURNEY));
    const filesOf = (...headings: string[]) =>
      new Set(
        headings.flatMap((heading) => {
          const body = sections.get(heading);
          if (body === undefined) throw new Error(`${JOURNEY} has no section "## ${heading}"`);
          return [...namedFiles(body)];
        }),
      );
    const stored = filesOf('Submitted (API process)', 'Run (worker process)');
    const delivered = new Set([...stored, ...filesOf('Read (API process)', 'Delivered (webhook dispatcher process)')]);
    // The sentence as one line, however the page wraps it.
    const counted = (sections.get('Counted') ?? '').replace(/\s+/g, ' ');
    const stated =
      /(\d+) files from `POST \/v1\/jobs` to a stored result \(steps 1 to \d+\), (\d+) with the read and the webhook delivery/.exec(
        counted,
      );
    expect(stated, 'the "Counted" section states both counts').not.toBeNull();
    expect({ toStoredResult: stored.size, withReadAndWebhook: delivered.size }).toEqual({
      toStoredResult: Number(stated?.[1]),
      withReadAndWebhook: Number(stated?.[2]),
    });
    // "Around the job" is what the steps do not pass through: a file named there is not also a step's.
    expect([...filesOf('Around the job')].filter((file) => delivered.has(file))).toEqual([]);
  });

  it('README stays a first screen (about 200 lines) and names the two commands', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(230);
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
    expect(readme).toContain('examples/leaf.jpg');
  });
});
