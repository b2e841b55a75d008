import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) a process has used so far, in ms, from /proc. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces); utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time a process's live threads have run so far, in ms at nanosecond resolution (the first
 * field of /proc/<pid>/task/<tid>/schedstat): for windows too short for cpuMs's 10 ms ticks.
 * Threads that have ended no longer count, so only for processes whose threads live on (redis-server).
 */
export function cpuMsFine(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1e6;
}

/** CPU time every process on the machine has used so far (all cores, idle and I/O wait left out), in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user and nice).
  const ticks = fields.slice(0, 8).map(Number);
  const busy = ticks.reduce((sum, value) => sum + value, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0);
  return (busy * 1000) / TICKS_PER_SECOND;
}

/** Resident memory in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** CPU used by each named process between start() and stop(). */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  private readonly pids: Record<string, number>;

  constructor(pids: Record<string, number>) {
    this.pids = pids;
    for (const [name, pid] of Object.entries(pids)) this.before.set(name, cpuMs(pid));
  }

  /** ms of CPU per process since construction. */
  read(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.pids).map(([name, pid]) => [name, cpuMs(pid) - (this.before.get(name) ?? 0)]),
    );
  }
}

export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
