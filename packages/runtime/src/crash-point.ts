/**
 * Fault injection for the fault tests: a process started with `CRASH_AT=<name>`
 * kills itself (SIGKILL, as the OOM killer or a node failure would) the first
 * time it reaches `crashPoint('<name>')`. The tests use it to stop a process at
 * exactly the step between two writes where a crash is most dangerous. Never set
 * in production; NODE_ENV=production ignores it.
 */
const armed = process.env.NODE_ENV === 'production' ? undefined : process.env.CRASH_AT;

export function crashPoint(name: string): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
