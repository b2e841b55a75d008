import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CliError } from './cli-error.ts';
import { asRecord, RECORD_FIELDS, type ResultRecord } from './record.ts';

export type Format = 'jsonl' | 'csv';

export function formatOf(file: string | undefined, explicit: string | undefined): Format {
  if (explicit !== undefined) {
    if (explicit !== 'jsonl' && explicit !== 'csv') throw new CliError(`--format is jsonl or csv, not ${explicit}`);
    return explicit;
  }
  return file?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

const CSV_HEADER = stringify([[...RECORD_FIELDS]]);

function csvLine(record: ResultRecord): string {
  return stringify([
    RECORD_FIELDS.map((field) => {
      const value = record[field];
      if (value === null) return '';
      return field === 'top_k' ? JSON.stringify(value) : value;
    }),
  ]);
}

export function serialize(format: Format, record: ResultRecord): string {
  return format === 'csv' ? csvLine(record) : `${JSON.stringify(record)}\n`;
}

/** Records of a JSONL or CSV results file; lines that are not whole records (a crash mid-line) are dropped. */
export function parseRecords(format: Format, text: string): ResultRecord[] {
  if (format === 'jsonl') {
    return text.split('\n').flatMap((line) => {
      if (line.trim() === '') return [];
      try {
        const record = asRecord(JSON.parse(line));
        return record ? [record] : [];
      } catch {
        return [];
      }
    });
  }
  const rows = parse(text, {
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
  }) as Record<string, string>[];
  return rows.flatMap((row) => {
    try {
      const record = asRecord({
        ...row,
        sha256: row.sha256 || null,
        job_id: row.job_id || null,
        model: row.model || null,
        version: row.version || null,
        label: row.label || null,
        score: row.score ? Number(row.score) : null,
        top_k: row.top_k ? JSON.parse(row.top_k) : [],
        latency_ms: row.latency_ms ? Number(row.latency_ms) : null,
        error: row.error || null,
      });
      return record ? [record] : [];
    } catch {
      return [];
    }
  });
}

/** Where records go, each written whole with one write(2) as soon as it is known (nothing buffered here). */
export interface RecordSink {
  write(record: ResultRecord): void;
  close(): void;
}

export function stdoutSink(format: Format): RecordSink {
  if (format === 'csv') process.stdout.write(CSV_HEADER);
  return { write: (record) => process.stdout.write(serialize(format, record)), close: () => {} };
}

/**
 * Opens the results file for appending. With `resume`, the records already there are read first and the file is
 * rewritten (atomically, by rename) to keep only one record per path: the succeeded ones, which are returned and
 * skipped, and the others of paths not in this run; the inputs that failed before are run again and get the only
 * record they will have. Without `resume`, an existing non-empty file is refused unless `overwrite`.
 */
export function openFileSink(
  file: string,
  format: Format,
  options: { resume: boolean; overwrite: boolean; paths: ReadonlySet<string> },
): { sink: RecordSink; done: Map<string, ResultRecord> } {
  const done = new Map<string, ResultRecord>();
  const exists = existsSync(file) && readFileSync(file).length > 0;
  if (exists && options.resume) {
    const latest = new Map<string, ResultRecord>();
    for (const record of parseRecords(format, readFileSync(file, 'utf8'))) {
      const previous = latest.get(record.path);
      if (previous?.status !== 'succeeded') latest.set(record.path, record);
    }
    const kept = [...latest.values()].filter(
      (record) => record.status === 'succeeded' || !options.paths.has(record.path),
    );
    for (const record of kept) if (record.status === 'succeeded') done.set(record.path, record);
    const temporary = `${file}.resume-${process.pid}`;
    writeFileSync(temporary, (format === 'csv' ? CSV_HEADER : '') + kept.map((r) => serialize(format, r)).join(''));
    renameSync(temporary, file);
  } else if (exists && !options.overwrite) {
    throw new CliError(`${file} already holds results: pass --resume to continue it, or --overwrite to start again`);
  } else if (exists) {
    writeFileSync(file, '');
  }
  const fd = openSync(file, 'a');
  if (format === 'csv' && fstatSync(fd).size === 0) writeSync(fd, CSV_HEADER);
  return {
    sink: { write: (record) => void writeSync(fd, serialize(format, record)), close: () => closeSync(fd) },
    done,
  };
}
