import type { InferClient, Job, JobStatus } from '@infer/client';

const TERMINAL: JobStatus[] = ['succeeded', 'failed', 'canceled'];

/** One line per job: id, status, model@version, created, and the top label or the error. */
export function jobLine(job: Job): string {
  const top = job.result?.predictions[0];
  const outcome = top
    ? `${top.label} ${top.score.toFixed(3)}`
    : job.error
      ? `${job.error.code}: ${job.error.message}`
      : '';
  const version = job.model_version ? `@${job.model_version}` : '';
  return [job.id, job.status.padEnd(9), `${job.model}${version}`, job.created_at, outcome].join('  ').trimEnd();
}

const print = (line: string) => process.stdout.write(`${line}\n`);

export async function listJobs(
  client: InferClient,
  options: { status?: string; model?: string; limit?: number; cursor?: string; all?: boolean; json?: boolean },
): Promise<void> {
  const query = {
    ...(options.status ? { status: options.status } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.limit ? { limit: options.limit } : {}),
  };
  const show = (job: Job) => print(options.json ? JSON.stringify(job) : jobLine(job));
  if (options.all) {
    for await (const job of client.listAll(query)) show(job);
    return;
  }
  const page = await client.list({ ...query, ...(options.cursor ? { cursor: options.cursor } : {}) });
  for (const job of page.jobs) show(job);
  if (page.next_cursor) process.stderr.write(`infer: more with --cursor ${page.next_cursor}\n`);
}

export async function getJob(client: InferClient, id: string, options: { wait?: number }): Promise<void> {
  const job = await client.get(id, options.wait === undefined ? {} : { waitSeconds: options.wait });
  print(JSON.stringify(job, null, 2));
}

export async function cancelJob(client: InferClient, id: string): Promise<void> {
  print(jobLine(await client.cancel(id)));
}

/** Follows the job's events until it ends; exit status 0 only when it succeeded. */
export async function watchJob(client: InferClient, id: string, options: { json?: boolean }): Promise<number> {
  let last: Job | undefined;
  for await (const job of client.events(id)) {
    last = job;
    print(options.json ? JSON.stringify(job) : jobLine(job));
    if (TERMINAL.includes(job.status)) break;
  }
  return last?.status === 'succeeded' ? 0 : 1;
}

export async function listModels(client: InferClient, options: { json?: boolean }): Promise<void> {
  for (const model of await client.models()) {
    if (options.json) print(JSON.stringify(model));
    else {
      print(
        [
          model.name,
          `versions ${model.versions.join(',')} (default ${model.default_version})`,
          `${model.workers} workers`,
          model.available ? 'available' : 'not available',
          `labels ${model.labels.join(',')}`,
        ].join('  '),
      );
    }
  }
}

/** Liveness and readiness; exit status 1 when the API is not ready. */
export async function health(client: InferClient): Promise<number> {
  const state = await client.health();
  const checks = state.readiness?.checks;
  print(
    `live: ${state.live ? 'ok' : 'no'}, ready: ${state.ready ? 'yes' : 'no'}` +
      (checks ? ` (redis ${checks.redis ? 'ok' : 'down'}, ${checks.workers} workers)` : '') +
      ` at ${client.baseUrl}`,
  );
  return state.live && state.ready ? 0 : 1;
}
