import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InferApiError, type InferClient, type Job, type Model } from '@infer/client';
import { CliError } from './cli-error.ts';
import { expandInputs, type Input } from './inputs.ts';
import { type Format, formatOf, openFileSink, type RecordSink, stdoutSink } from './output.ts';
import { startProgress } from './progress.ts';
import type { ResultRecord } from './record.ts';
import { type RunSummary, summarize, summaryLines } from './summary.ts';

export interface ClassifyOptions {
  model?: string;
  out?: string;
  format?: string;
  concurrency: number;
  topK: number;
  resume: boolean;
  overwrite: boolean;
  failFast: boolean;
  /** Seconds between plain progress lines when stderr is not a terminal. */
  progressInterval: number;
}

/** `name[:version]`, checked against the API's models (an unknown name or version ends the run before it starts). */
export async function resolveModel(
  client: InferClient,
  spec: string | undefined,
): Promise<{ name?: string; version?: string }> {
  const models: Model[] = await client.models();
  if (spec === undefined) return {};
  const [name, version] = spec.split(':', 2) as [string, string | undefined];
  const model = models.find((candidate) => candidate.name === name);
  if (!model) {
    throw new CliError(`unknown model "${name}"; the API serves: ${models.map((m) => m.name).join(', ') || 'none'}`);
  }
  if (version !== undefined && !model.versions.includes(version)) {
    throw new CliError(`model "${name}" has no version "${version}"; it has: ${model.versions.join(', ')}`);
  }
  return { name, ...(version === undefined ? {} : { version }) };
}

/**
 * The submission's Idempotency-Key: the image's bytes, model and version, so that a rerun after a crash (or a
 * retry after a lost answer) is answered the job the first run made instead of making another.
 */
export function idempotencyKey(sha256: string, model: { name?: string; version?: string }): string {
  return `infer-cli:${model.name ?? '(default)'}:${model.version ?? '(latest)'}:${sha256}`;
}

function recordOf(
  input: Input,
  sha256: string | null,
  outcome: { job: Job; latencyMs: number } | { error: string },
  topK: number,
): ResultRecord {
  if ('error' in outcome) {
    return {
      path: input.path,
      sha256,
      job_id: null,
      model: null,
      version: null,
      status: 'error',
      label: null,
      score: null,
      top_k: [],
      latency_ms: null,
      error: outcome.error,
    };
  }
  const { job } = outcome;
  const predictions = job.result?.predictions ?? [];
  return {
    path: input.path,
    sha256,
    job_id: job.id,
    model: job.model,
    version: job.model_version,
    status: job.status as ResultRecord['status'],
    label: predictions[0]?.label ?? null,
    score: predictions[0]?.score ?? null,
    top_k: predictions.slice(0, topK).map(({ label, score }) => ({ label, score })),
    latency_ms: Math.round(outcome.latencyMs * 10) / 10,
    error: job.error ? `${job.error.code}: ${job.error.message}` : null,
  };
}

async function score(
  client: InferClient,
  input: Input,
  model: { name?: string; version?: string },
  topK: number,
): Promise<ResultRecord> {
  if (input.unreadable) return recordOf(input, null, { error: `unreadable: ${input.unreadable}` }, topK);
  if (input.notAnImage) return recordOf(input, null, { error: 'not_an_image: not a JPEG, PNG or WebP file' }, topK);
  let bytes: Buffer;
  try {
    bytes = await readFile(input.path);
  } catch (error) {
    return recordOf(input, null, { error: `unreadable: ${(error as NodeJS.ErrnoException).code ?? error}` }, topK);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const started = performance.now();
  try {
    const job = await client.classify(bytes, {
      ...(model.name ? { model: model.name } : {}),
      ...(model.version ? { version: model.version } : {}),
      idempotencyKey: idempotencyKey(sha256, model),
    });
    return recordOf(input, sha256, { job, latencyMs: performance.now() - started }, topK);
  } catch (error) {
    // The run stops for what every image would meet (no API, a refused key); one image's refusal is its record.
    if (!(error instanceof InferApiError) || error.status === 401 || error.status === 403) throw error;
    return recordOf(input, sha256, { error: `${error.code}: ${error.message}` }, topK);
  }
}

/** `infer classify`: scores every image, one record each, and answers the summary and the exit status. */
export async function classify(
  client: InferClient,
  targets: string[],
  options: ClassifyOptions,
  retries: () => number,
): Promise<{ summary: RunSummary; exitCode: number }> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw new CliError('--concurrency is 1 or more');
  if (!Number.isInteger(options.topK) || options.topK < 1) throw new CliError('--top-k is 1 or more');
  if (options.resume && !options.out) throw new CliError('--resume needs --out (the results file to continue)');
  const model = await resolveModel(client, options.model);
  const { inputs, skippedNotImages } = await expandInputs(targets);
  if (skippedNotImages > 0)
    process.stderr.write(`infer: left out ${skippedNotImages} files that are not JPEG, PNG or WebP\n`);

  const format: Format = formatOf(options.out, options.format);
  let sink: RecordSink;
  let done = new Map<string, ResultRecord>();
  if (options.out) {
    ({ sink, done } = openFileSink(options.out, format, {
      resume: options.resume,
      overwrite: options.overwrite,
      paths: new Set(inputs.map((input) => input.path)),
    }));
  } else {
    sink = stdoutSink(format);
  }
  const todo = inputs.filter((input) => !done.has(input.path));
  const skipped = inputs.length - todo.length;
  if (skipped > 0) process.stderr.write(`infer: ${skipped} of ${inputs.length} already succeeded in ${options.out}\n`);

  const progress = startProgress(todo.length, { intervalMs: options.progressInterval * 1000 });
  const records: ResultRecord[] = [];
  const started = performance.now();
  let next = 0;
  let stop = false;
  let failedFast = false;
  const lane = async () => {
    while (!stop && next < todo.length) {
      const input = todo[next++] as Input;
      let record: ResultRecord;
      try {
        record = await score(client, input, model, options.topK);
      } catch (error) {
        stop = true;
        throw error;
      }
      sink.write(record);
      records.push(record);
      progress.tick(record.status === 'succeeded');
      if (options.failFast && record.status !== 'succeeded') stop = failedFast = true;
    }
  };
  try {
    const lanes = Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, lane);
    const outcomes = await Promise.allSettled(lanes);
    const fatal = outcomes.find((outcome) => outcome.status === 'rejected');
    if (fatal) throw (fatal as PromiseRejectedResult).reason;
  } finally {
    stop = true;
    progress.stop();
    sink.close();
  }

  const summary = summarize(records, {
    total: inputs.length,
    skipped,
    seconds: (performance.now() - started) / 1000,
    retries: retries(),
  });
  for (const line of summaryLines(summary)) process.stderr.write(`infer: ${line}\n`);
  if (failedFast && records.length < todo.length) {
    const first = records.find((record) => record.status !== 'succeeded');
    if (first)
      process.stderr.write(`infer: stopped at the first failure (--fail-fast): ${first.path}: ${first.error}\n`);
  }
  const failed = summary.failed + summary.canceled + summary.errors;
  return { summary, exitCode: failed > 0 ? 1 : 0 };
}
