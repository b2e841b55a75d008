import { dockerode, engineRequest, isPodman, projectContainers } from './engine.ts';

/**
 * podman runs HEALTHCHECKs from systemd timers. Where there is no systemd (CI sandboxes, this
 * machine) nothing runs them and a container's health stays "starting": Compose's
 * `depends_on: condition: service_healthy` and testcontainers' Wait.forHealthCheck() would wait
 * forever. This stands in for the timer: each running container of the project that has a
 * health check gets it run through libpod's API (the same socket), every second while it is
 * starting, then at its own interval, as Docker's daemon would. Against Docker itself, which
 * schedules the checks, it does nothing.
 */
export async function runHealthChecks(project: string): Promise<() => Promise<void>> {
  if (!(await isPodman())) return async () => {};
  const engine = await dockerode();
  const lastRun = new Map<string, number>();
  let stopped = false;
  const tick = async () => {
    for (const listed of await projectContainers(project)) {
      if (listed.State !== 'running') continue;
      const container = await engine.getContainer(listed.Id).inspect();
      const check = container.Config.Healthcheck;
      if (!check?.Test?.length || check.Test[0] === 'NONE') continue;
      const starting = container.State.Health?.Status !== 'healthy';
      const intervalMs = starting ? 1000 : (check.Interval ?? 30e9) / 1e6;
      if (Date.now() - (lastRun.get(listed.Id) ?? 0) < intervalMs) continue;
      lastRun.set(listed.Id, Date.now());
      await engineRequest('GET', `/v4.0.0/libpod/containers/${listed.Id}/healthcheck`).catch(() => undefined);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      // A container may go between listing and inspecting; the next tick sees the new state.
      await tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}
