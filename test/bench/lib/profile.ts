import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One line of a CPU profile summary: a function (file:line) and its share of the thread's busy time. */
export interface ProfileLine {
  fn: string;
  percentOfBusy: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** Where the name shows the package and file, not the machine's paths. */
function label(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const file = frame.url
    .replace(/^file:\/\//, '')
    .replace(
      /.*node_modules\/\.pnpm\/([^/]+)\/node_modules\/[^/]+(?:\/[^/]+)?\//,
      (_m, pkg: string) => `${pkg.split('_')[0]}/`,
    )
    .replace(/.*\/(apps|packages)\//, '$1/');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

/**
 * Self time per function of a `node --cpu-prof` profile, as a share of the time the thread
 * was not idle, the `top` largest (garbage collection appears as its own line).
 */
export function summarizeProfile(file: string, top = 12): { busyMs: number; lines: ProfileLine[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    busy += delta;
    const name = label(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + delta);
  });
  const lines = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, percentOfBusy: (us / Math.max(1, busy)) * 100 }));
  return { busyMs: busy / 1000, lines };
}

/** The profile of a process's main thread in `dir` (Node names them CPU.<date>.<time>.<pid>.0.<n>). */
export function mainThreadProfile(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir).find((file) => file.split('.')[3] === String(pid) && file.split('.')[4] === '0');
  return name ? path.join(dir, name) : undefined;
}
