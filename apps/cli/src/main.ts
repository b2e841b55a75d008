// infer: the command-line client of the inference API (docs/cli.md). `pnpm infer …` from a checkout.
import { Command, InvalidArgumentError, Option } from 'commander';
import { classify } from './classify.ts';
import { CliError, describeError } from './cli-error.ts';
import { type ConnectionOptions, connect, DEFAULT_API_URL } from './connection.ts';
import { cancelJob, getJob, health, listJobs, listModels, watchJob } from './jobs-commands.ts';

const integer = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('not an integer');
  return parsed;
};

const program = new Command('infer')
  .description('Score images with the inference API, and look after its jobs')
  .addOption(new Option('--api <url>', `the API (default ${DEFAULT_API_URL})`).env('INFER_API_URL'))
  .addOption(new Option('--api-key <key>', 'an API key or JWT, sent as a Bearer token').env('INFER_API_KEY'))
  .showHelpAfterError();

const connection = (): ConnectionOptions => program.opts<ConnectionOptions>();
let exitCode = 0;

program
  .command('classify')
  .description('score every JPEG, PNG and WebP image in the given files, folders (recursively) and globs')
  .argument('<inputs...>', 'files, folders or globs')
  .option('-m, --model <name[:version]>', "the model, optionally pinned to a version (default: the API's default)")
  .option('-o, --out <file>', 'append one record per image to this .jsonl or .csv file (default: JSONL on stdout)')
  .option('--format <jsonl|csv>', 'the output format (default: from the --out extension, else jsonl)')
  .option('-c, --concurrency <n>', 'images in flight at once', integer, 8)
  .option('-k, --top-k <k>', 'predictions kept per image', integer, 3)
  .option('--resume', 'skip the images --out already records as succeeded; run the others again', false)
  .option('--overwrite', 'start --out afresh when it already holds results', false)
  .option('--fail-fast', 'stop starting images after the first one that fails', false)
  .option('--progress-interval <seconds>', 'seconds between progress lines when stderr is not a terminal', integer, 5)
  .action(async (inputs: string[], options) => {
    let retries = 0;
    const client = connect(connection(), { onRetry: () => retries++ });
    ({ exitCode } = await classify(client, inputs, options, () => retries));
  });

const jobs = program.command('jobs').description('list, read, cancel and follow jobs');
jobs
  .command('list')
  .description("the caller's jobs, newest first")
  .option('--status <statuses>', 'comma-separated: queued, running, succeeded, failed, canceled')
  .option('--model <name>')
  .option('--limit <n>', 'page size (1 to 100)', integer)
  .option('--cursor <cursor>', 'the page after a previous one')
  .option('--all', 'every page', false)
  .option('--json', 'one JSON job per line', false)
  .action((options) => listJobs(connect(connection()), options));
jobs
  .command('get')
  .argument('<id>')
  .option('--wait <seconds>', 'hold the answer until the job ends (at most 60 s)', integer)
  .action((id: string, options) => getJob(connect(connection()), id, options));
jobs
  .command('cancel')
  .argument('<id>')
  .action((id: string) => cancelJob(connect(connection()), id));
jobs
  .command('watch')
  .description("follow a job's events until it ends (exit status 0 when it succeeded)")
  .argument('<id>')
  .option('--json', 'print each state as JSON', false)
  .action(async (id: string, options) => {
    exitCode = await watchJob(connect(connection()), id, options);
  });
program
  .command('models')
  .description('the models the API serves')
  .option('--json', 'one JSON model per line', false)
  .action((options) => listModels(connect(connection()), options));
program
  .command('health')
  .description("the API's liveness and readiness (exit status 1 when not ready)")
  .action(async () => {
    exitCode = await health(connect(connection()));
  });

try {
  await program.parseAsync();
  process.exitCode = exitCode;
} catch (error) {
  process.stderr.write(`infer: ${describeError(error)}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 2;
}
