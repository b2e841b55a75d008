/** One line of the output: one per input. */
export interface ResultRecord {
  path: string;
  sha256: string | null;
  job_id: string | null;
  model: string | null;
  version: string | null;
  /** The job's end (`succeeded`, `failed`, `canceled`), or `error` when no job answered (unreadable file, refused). */
  status: 'succeeded' | 'failed' | 'canceled' | 'error';
  label: string | null;
  score: number | null;
  top_k: { label: string; score: number }[];
  latency_ms: number | null;
  /** `<code>: <message>` when the input did not succeed. */
  error: string | null;
}

export const RECORD_FIELDS = [
  'path',
  'sha256',
  'job_id',
  'model',
  'version',
  'status',
  'label',
  'score',
  'top_k',
  'latency_ms',
  'error',
] as const satisfies readonly (keyof ResultRecord)[];

const STATUSES = new Set(['succeeded', 'failed', 'canceled', 'error']);

/** A record read back from a file, or undefined when the line is not one (e.g. torn by a crash mid-write). */
export function asRecord(value: unknown): ResultRecord | undefined {
  const record = value as Partial<ResultRecord> | null;
  if (typeof record !== 'object' || record === null) return undefined;
  if (typeof record.path !== 'string' || !STATUSES.has(record.status as string)) return undefined;
  return record as ResultRecord;
}
