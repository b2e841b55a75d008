import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerComposeEnvironment } from 'testcontainers';
import { parse } from 'yaml';
import { fromRoot } from '../../deploy/lib/repo.ts';

/** A service as `docker-compose config` prints it: interpolated, merged, relative paths resolved. */
export interface ComposeService {
  image: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | null>;
  ports?: { target: number; published: number | string }[];
  read_only?: boolean;
  stop_grace_period?: string;
  profiles?: string[];
}

/**
 * docker/compose.yaml run by Debian bookworm's docker-compose (1.29, a client of the Docker API,
 * and so of podman's behind DOCKER_HOST). 1.29 predates the Compose specification's top-level
 * `name:` and refuses the file over it, so it reads a copy without that one line (the project is
 * named with COMPOSE_PROJECT_NAME anyway) whose project directory is still docker/: relative
 * paths (`context: ..`, `source: ../models`) resolve as for the original. Nothing else differs.
 */
export class ComposeProject {
  readonly project: string;
  readonly env: Record<string, string>;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'infer-compose-'));
  private readonly composeOptions = ['--project-directory', fromRoot('docker')];

  constructor(project: string, env: Record<string, string>) {
    this.project = project;
    this.env = env;
    const original = readFileSync(fromRoot('docker/compose.yaml'), 'utf8');
    const copy = original.replace(/^name: .*\n/m, '');
    if (copy === original)
      throw new Error('docker/compose.yaml: no top-level name: line to leave out for docker-compose 1.29');
    writeFileSync(path.join(this.dir, 'compose.yaml'), copy);
  }

  /** testcontainers' environment for `up`: the project, its variables, Debian's docker-compose. */
  environment(): DockerComposeEnvironment {
    return new DockerComposeEnvironment(this.dir, 'compose.yaml')
      .withProjectName(this.project)
      .withEnvironment(this.env)
      .withClientOptions({ executable: { standalone: true }, composeOptions: this.composeOptions });
  }

  /** A docker-compose command on this project (`config`, `stop worker`, ...), resolving with stdout. */
  run(args: string[], timeoutMs = 120_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'docker-compose',
        [...this.composeOptions, '--file', path.join(this.dir, 'compose.yaml'), ...args],
        {
          cwd: this.dir,
          env: { ...process.env, ...this.env, COMPOSE_PROJECT_NAME: this.project },
          timeout: timeoutMs,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          error
            ? reject(new Error(`docker-compose ${args.join(' ')}: ${stderr.trim() || error.message}`))
            : resolve(stdout),
      );
    });
  }

  /** The services as Compose resolves them (`docker-compose config`). */
  async services(): Promise<Record<string, ComposeService>> {
    return (parse(await this.run(['config'])) as { services: Record<string, ComposeService> }).services;
  }

  /** The container Compose names for a service's first replica (1.29: `<project>_<service>_1`). */
  container(service: string): string {
    return `${this.project}_${service}_1`;
  }

  removeCopy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Compose durations: `30s`, `1m30s`, `500ms`, as seconds. */
export function seconds(duration: string | undefined, fallback: number): number {
  if (!duration) return fallback;
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}
