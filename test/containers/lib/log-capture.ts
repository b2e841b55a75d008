import type { Readable } from 'node:stream';
import { getContainerRuntimeClient } from 'testcontainers';
import { projectContainers } from './engine.ts';

export interface CapturedLogs {
  /** The service's output so far (every container and restart of it), the last `limit` lines. */
  lines(service: string, limit?: number): string[];
  stop(): Promise<void>;
}

/**
 * Follows the output of every container of a Compose project as it is written, so that a failure
 * can show it even when the containers are gone: a failed wait strategy makes testcontainers run
 * `compose down`, which removes them with their logs.
 */
export async function captureLogs(project: string): Promise<CapturedLogs> {
  const client = await getContainerRuntimeClient();
  const byService = new Map<string, string[]>();
  const following = new Map<string, Readable>();
  /** Container id -> the second its last log stream ended (a stopped or restarted container). */
  const endedAt = new Map<string, number>();
  let stopped = false;

  const follow = async (id: string, service: string) => {
    const stream = await client.container.logs(client.container.getById(id), { since: endedAt.get(id) ?? 0 });
    following.set(id, stream);
    const lines = byService.get(service) ?? [];
    byService.set(service, lines);
    let partial = '';
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > 5000) lines.splice(0, lines.length - 5000);
    });
    stream.on('close', () => {
      if (partial) lines.push(partial);
      following.delete(id);
      endedAt.set(id, Math.floor(Date.now() / 1000));
    });
  };

  const loop = (async () => {
    while (!stopped) {
      const containers = await projectContainers(project).catch(() => []);
      for (const container of containers) {
        if (container.State !== 'running' || following.has(container.Id)) continue;
        await follow(container.Id, container.Labels['com.docker.compose.service'] ?? container.Id).catch(
          () => undefined,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();

  return {
    lines: (service, limit = 60) => (byService.get(service) ?? []).slice(-limit),
    async stop() {
      stopped = true;
      await loop;
      for (const stream of following.values()) stream.destroy();
    },
  };
}
