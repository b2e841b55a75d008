import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../../../dev-support/free-port.ts';
import { podman } from './podman.ts';

/**
 * docker/compose.yaml run by podman commands derived from the file itself: the services
 * of the default profile, their images, commands, environment (with ${VAR:-default}
 * interpolation), published ports, volumes, read-only roots and tmpfs, users, health
 * checks, depends_on conditions, restart policies and stop grace periods. Published host
 * ports are remapped to free ones (a CI machine may already use 8080); everything else
 * is as the file says. Services are reached from the host through those ports only.
 */
export interface ComposeService {
  image: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number; start_period?: string };
  stop_grace_period?: string;
  restart?: string;
  profiles?: string[];
  read_only?: boolean;
  tmpfs?: string | string[];
  user?: string;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `${VAR}`, `${VAR:-default}` and `$$` as Compose interpolates them. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (whole, name?: string, fallback?: string) => {
    if (whole === '$$') return '$';
    const value = env[name as string];
    return value === undefined || value === '' ? (fallback ?? '') : value;
  });
}

function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  }
  return value;
}

export function loadCompose(file: string, env: Record<string, string | undefined>): ComposeFile {
  return interpolateAll(parse(readFileSync(file, 'utf8'), { merge: true }), env) as ComposeFile;
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

const dependencies = (service: ComposeService): [string, string][] =>
  Array.isArray(service.depends_on)
    ? service.depends_on.map((name) => [name, 'service_started'])
    : Object.entries(service.depends_on ?? {}).map(([name, d]) => [name, d.condition ?? 'service_started']);

export class ComposeProject {
  readonly file: ComposeFile;
  private readonly dir: string;
  /** service -> container port -> host port it is published on. */
  readonly published = new Map<string, Map<number, number>>();

  readonly composePath: string;
  readonly project: string;

  constructor(composePath: string, project: string, env: Record<string, string | undefined>) {
    this.composePath = composePath;
    this.project = project;
    this.file = loadCompose(composePath, env);
    this.dir = path.dirname(composePath);
  }

  /** Services of the default profile (no `profiles:`), dependencies first. */
  services(): string[] {
    const names = Object.entries(this.file.services)
      .filter(([, service]) => !service.profiles?.length)
      .map(([name]) => name);
    const ordered: string[] = [];
    const visit = (name: string) => {
      if (ordered.includes(name)) return;
      for (const [dependency] of dependencies(this.service(name))) visit(dependency);
      ordered.push(name);
    };
    for (const name of names) visit(name);
    return ordered;
  }

  service(name: string): ComposeService {
    const service = this.file.services[name];
    if (!service) throw new Error(`no service ${name} in ${this.composePath}`);
    return service;
  }

  container(name: string): string {
    return `${this.project}-${name}-1`;
  }

  private get network(): string {
    return `${this.project}_default`;
  }

  /** The `podman run` arguments of one service, derived from the file. */
  async runArgs(name: string): Promise<string[]> {
    const service = this.service(name);
    const args = ['run', '--detach', '--name', this.container(name), '--network', this.network];
    args.push('--network-alias', name, '--label', `com.docker.compose.project=${this.project}`);
    args.push('--label', `com.docker.compose.service=${name}`);
    for (const [key, value] of Object.entries(service.environment ?? {})) args.push('--env', `${key}=${value ?? ''}`);
    const ports = new Map<number, number>();
    for (const spec of service.ports ?? []) {
      const [, containerPort] = /^(?:[\d.]+:)?\d+:(\d+)$/.exec(spec) ?? [];
      if (!containerPort) throw new Error(`${name}: port "${spec}" is not host:container`);
      const hostPort = await freePort();
      ports.set(Number(containerPort), hostPort);
      args.push('--publish', `127.0.0.1:${hostPort}:${containerPort}`);
    }
    this.published.set(name, ports);
    for (const volume of service.volumes ?? []) {
      if (typeof volume === 'string') {
        const [source, target, mode] = volume.split(':');
        args.push('--volume', `${this.volumeSource(source as string)}:${target}${mode ? `:${mode}` : ''}`);
      } else {
        const source =
          volume.type === 'bind' ? path.resolve(this.dir, volume.source) : this.volumeSource(volume.source);
        args.push('--volume', `${source}:${volume.target}${volume.read_only ? ':ro' : ''}`);
      }
    }
    if (service.read_only) args.push('--read-only');
    for (const tmpfs of [service.tmpfs ?? []].flat()) args.push('--tmpfs', tmpfs);
    if (service.user) args.push('--user', service.user);
    if (service.restart) args.push('--restart', service.restart);
    args.push('--stop-timeout', String(Math.round(seconds(service.stop_grace_period, 10))));
    if (service.healthcheck) {
      const [kind, ...command] = service.healthcheck.test;
      const cmd = kind === 'CMD-SHELL' ? ['/bin/sh', '-c', command.join(' ')] : command;
      args.push('--health-cmd', JSON.stringify(cmd));
      args.push('--health-interval', service.healthcheck.interval ?? '30s');
      args.push('--health-timeout', service.healthcheck.timeout ?? '30s');
      args.push('--health-retries', String(service.healthcheck.retries ?? 3));
    }
    args.push(service.image, ...(service.command ?? []));
    return args;
  }

  private volumeSource(source: string): string {
    if (source.startsWith('.') || source.startsWith('/')) return path.resolve(this.dir, source);
    return `${this.project}_${source}`;
  }

  /** Create the network and volumes, then start every service once what it depends on is ready. */
  async up(
    options: { healthyTimeoutMs?: number; beforeStart?: (service: string) => Promise<void> } = {},
  ): Promise<void> {
    // The network may exist already: a caller that needs its gateway first creates it.
    const exists = await podman(['network', 'exists', this.network]).then(
      () => true,
      () => false,
    );
    if (!exists) await podman(['network', 'create', this.network]);
    for (const volume of Object.keys(this.file.volumes ?? {})) {
      await podman(['volume', 'create', `${this.project}_${volume}`]);
    }
    for (const name of this.services()) {
      for (const [dependency, condition] of dependencies(this.service(name))) {
        if (condition === 'service_healthy') await this.waitHealthy(dependency, options.healthyTimeoutMs);
      }
      await options.beforeStart?.(name);
      await podman(await this.runArgs(name));
    }
  }

  /**
   * Run the container's health check (the file's, or the image's HEALTHCHECK) until it
   * passes. podman schedules periodic checks with systemd timers, absent in CI sandboxes,
   * so the check is run here at the file's interval instead.
   */
  async waitHealthy(name: string, timeoutMs = 120_000): Promise<number> {
    const started = Date.now();
    const interval = Math.min(1000, seconds(this.service(name).healthcheck?.interval, 1) * 1000);
    for (;;) {
      const passed = await podman(['healthcheck', 'run', this.container(name)]).then(
        () => true,
        () => false,
      );
      if (passed) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`${name} not healthy after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  async logs(name: string): Promise<string> {
    return podman(['logs', this.container(name)]).catch((error: Error) => error.message);
  }

  /** Stop and remove everything the project made (containers, network, volumes). */
  async down(): Promise<void> {
    const containers = this.services().map((name) => this.container(name));
    await podman(['rm', '--force', '--time', '0', ...containers]).catch(() => undefined);
    await podman(['network', 'rm', '--force', this.network]).catch(() => undefined);
    for (const volume of Object.keys(this.file.volumes ?? {})) {
      await podman(['volume', 'rm', '--force', `${this.project}_${volume}`]).catch(() => undefined);
    }
  }
}
