import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFileSink, parseRecords, serialize } from './output.ts';
import type { ResultRecord } from './record.ts';

const record = (file: string, status: ResultRecord['status'], extra: Partial<ResultRecord> = {}): ResultRecord => ({
  path: file,
  sha256: 'ab'.repeat(32),
  job_id: `job-${file}`,
  model: 'plant-pathology',
  version: '1',
  status,
  label: status === 'succeeded' ? 'rust' : null,
  score: status === 'succeeded' ? 0.5 : null,
  top_k: status === 'succeeded' ? [{ label: 'rust', score: 0.5 }] : [],
  latency_ms: 12.5,
  error: status === 'succeeded' ? null : 'invalid_image: "quoted", and, commas',
  ...extra,
});

describe('results files', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const format of ['jsonl', 'csv'] as const) {
    it(`${format}: --resume keeps one record per path (succeeded ones skipped) and drops a torn last line`, () => {
      dir = mkdtempSync(path.join(tmpdir(), 'infer-out-'));
      const file = path.join(dir, `results.${format}`);
      const header =
        format === 'csv' ? 'path,sha256,job_id,model,version,status,label,score,top_k,latency_ms,error\n' : '';
      const lines = [record('a', 'failed'), record('a', 'succeeded'), record('b', 'error'), record('c', 'succeeded')]
        .map((r) => serialize(format, r))
        .join('');
      writeFileSync(file, `${header}${lines}${serialize(format, record('d', 'succeeded')).slice(0, 30)}`);

      const { sink, done } = openFileSink(file, format, { resume: true, overwrite: false, paths: new Set(['a', 'b']) });
      expect([...done.keys()].sort()).toEqual(['a', 'c']);
      sink.write(record('b', 'succeeded'));
      sink.close();
      const after = parseRecords(format, readFileSync(file, 'utf8'));
      expect(after.map((r) => `${r.path}:${r.status}`).sort()).toEqual(['a:succeeded', 'b:succeeded', 'c:succeeded']);
      expect(after.find((r) => r.path === 'a')).toEqual(record('a', 'succeeded'));
    });
  }

  it('CSV keeps quotes, commas and top_k through a round trip', () => {
    const failed = record('dir, with comma/x.png', 'failed');
    expect(
      parseRecords(
        'csv',
        serialize('csv', failed).replace(
          /^/,
          'path,sha256,job_id,model,version,status,label,score,top_k,latency_ms,error\n',
        ),
      ),
    ).toEqual([failed]);
  });

  it('refuses to append to a results file without --resume or --overwrite', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'infer-out-'));
    const file = path.join(dir, 'results.jsonl');
    writeFileSync(file, serialize('jsonl', record('a', 'succeeded')));
    expect(() => openFileSink(file, 'jsonl', { resume: false, overwrite: false, paths: new Set() })).toThrow(
      /--resume/,
    );
    openFileSink(file, 'jsonl', { resume: false, overwrite: true, paths: new Set() }).sink.close();
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});
