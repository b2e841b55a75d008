import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One line of a CPU profile summary: a function (file:line) or an area, and its share of the thread's busy time. */
export interface ProfileLine {
  fn: string;
  percentOfBusy: number;
}

/** Where a process's main thread spent its busy time within the measured load. */
export interface ProfileSummary {
  /** Busy (not idle) time on the main thread within the window, per job of the window. */
  busyMsPerJob: number;
  /** Self time by package or area (ours by workspace package, Node.js's by subsystem, native, GC). */
  areas: ProfileLine[];
  /** Self time of the costliest functions. */
  functions: ProfileLine[];
  /** Self time in our own workspace packages (apps/*, packages/*), all of them. */
  oursPercent?: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
type CallFrame = CpuProfile['nodes'][number]['callFrame'];

const IDLE = new Set(['(idle)', '(program)']);

/**
 * Microseconds on the clock of `--cpu-prof` timestamps: V8 and libuv both read
 * CLOCK_MONOTONIC, so a window taken here selects samples of another process.
 */
export const profileClockUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Where the name shows the package and file, not the machine's paths. */
function label(frame: CallFrame): string {
  const file = frame.url
    .replace(/^file:\/\//, '')
    .replace(
      /.*node_modules\/\.pnpm\/([^/]+)\/node_modules\/[^/]+(?:\/[^/]+)?\//,
      (_m, pkg: string) => `${pkg.split('_')[0]}/`,
    )
    .replace(/.*\/(apps|packages)\//, '$1/');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

/** The package or area a frame belongs to. */
function area(frame: CallFrame): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  const url = frame.url;
  if (!url) return 'native: V8 builtins, socket and string writes';
  const pnpm = /node_modules\/\.pnpm\/(@[^+/]+\+[^@/]+|[^@/]+)@/.exec(url);
  if (pnpm) return (pnpm[1] as string).replace('+', '/');
  const ours = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (ours) return `ours: ${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) {
    if (/http/.test(url)) return 'Node.js: http';
    if (/stream/.test(url)) return 'Node.js: streams';
    if (/net|tcp|dns|socket/.test(url)) return 'Node.js: net';
    if (/timers|task_queues|process|async_hooks|events/.test(url)) return 'Node.js: timers, ticks, events';
    return 'Node.js: other';
  }
  return 'other';
}

const top = (times: Map<string, number>, busy: number, count: number): ProfileLine[] =>
  [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({ fn, percentOfBusy: (us / Math.max(1, busy)) * 100 }));

/**
 * Self time of a `node --cpu-prof` profile within `window` (µs on `profileClockUs`), as
 * shares of the time the main thread was not idle: by area, and the costliest functions.
 * Outside the window (start-up, module loading, shutdown) nothing counts.
 */
export function summarizeProfile(
  file: string,
  window: { fromUs: number; toUs: number; jobs: number },
  count = { areas: 10, functions: 10 },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName) || at < window.fromUs || at > window.toUs) return;
    busy += delta;
    const fn = label(node.callFrame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
    const where = area(node.callFrame);
    byArea.set(where, (byArea.get(where) ?? 0) + delta);
  });
  const ours = [...byArea].filter(([name]) => name.startsWith('ours:')).reduce((sum, [, us]) => sum + us, 0);
  return {
    busyMsPerJob: busy / 1000 / Math.max(1, window.jobs),
    oursPercent: (ours / Math.max(1, busy)) * 100,
    areas: top(byArea, busy, count.areas),
    functions: top(byFunction, busy, count.functions),
  };
}

/** The profile of a process's main thread in `dir` (Node names them CPU.<date>.<time>.<pid>.0.<n>). */
export function mainThreadProfile(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir).find((file) => file.split('.')[3] === String(pid) && file.split('.')[4] === '0');
  return name ? path.join(dir, name) : undefined;
}
