/**
 * docker/compose.yaml agrees with the Dockerfiles and packages/config: the services build
 * from the repository root, set only known settings with valid values, publish the API on
 * its configured port, keep Redis durable and non-evicting, and stop within their grace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { imageEnv, imageSpecs, specOfImage } from './lib/images.ts';
import { isObject } from './lib/kustomize.ts';
import {
  API_PORT,
  dispatcherExists,
  fromRoot,
  isKnownVariable,
  readText,
  repoRoot,
  settingProblems,
} from './lib/repo.ts';

const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number; published: string | number })[];
  volumes?: (string | { type: string; source: string; target: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  profiles?: string[];
  stop_grace_period?: string;
  healthcheck?: { test?: string[] | string };
  deploy?: {
    resources?: {
      reservations?: { devices?: { driver?: string; count?: number | string; capabilities?: string[] }[] };
    };
  };
}

const composeDir = fromRoot('docker');
/** The services of the `observability` profile (not started by the container suite: it cannot pull them). */
const OBSERVABILITY_SERVICES = ['prometheus', 'grafana', 'jaeger'];
/** The services of the `ha` profile: a replica of `redis` and three sentinels. */
const HA_SERVICES = ['redis-replica', 'sentinel-1', 'sentinel-2', 'sentinel-3'];
const compose = parse(readText('docker/compose.yaml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`compose service ${name} missing`);
  return found;
};

/** `${NAME:-default}` as compose interpolates it with NAME unset. */
const interpolate = (value: string): string =>
  value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name, fallback) => (fallback as string) ?? '');

function environment(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((item) => {
        const eq = item.indexOf('=');
        return eq === -1 ? [item, ''] : [item.slice(0, eq), item.slice(eq + 1)];
      })
    : Object.entries(env).map(([name, value]) => [name, value === null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([name, value]) => [name as string, interpolate(value as string)]));
}

/** Image defaults overlaid with the service's environment: what the process sees. */
function effectiveEnv(s: Service): Record<string, string> {
  const spec = s.image ? specOfImage(s.image) : undefined;
  return { ...(spec ? Object.fromEntries(imageEnv(spec)) : {}), ...environment(s) };
}

const seconds = (duration: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  return Number(match[1]) * ({ ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'] ?? 1);
};

describe('docker/compose.yaml', () => {
  it('has Redis, the API, the CPU worker, a GPU worker profile, the webhook dispatcher, observability and ha profiles', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'redis', 'webhook-dispatcher', 'worker', 'worker-cuda', ...OBSERVABILITY_SERVICES, ...HA_SERVICES].sort(),
    );
  });

  it.each(services.filter(([, s]) => s.build))('%s builds its image from the repository root', (_name, s) => {
    expect(path.resolve(composeDir, s.build?.context ?? '.')).toBe(repoRoot);
    const dockerfile = s.build?.dockerfile ?? '';
    expect(existsSync(fromRoot(dockerfile)), dockerfile).toBe(true);
    const spec = specOfImage(s.image ?? '');
    expect(spec?.dockerfile, `${s.image} is built by ${dockerfile}`).toBe(dockerfile);
  });

  it('builds every project image', () => {
    const built = new Set(services.map(([, s]) => s.build?.dockerfile));
    expect(imageSpecs.filter((spec) => !built.has(spec.dockerfile)).map((spec) => spec.dockerfile)).toEqual([]);
  });

  it.each(services.filter(([, s]) => s.build))('%s sets only known settings, with valid values', (_name, s) => {
    for (const name of Object.keys(environment(s))) expect(isKnownVariable(name), name).toBe(true);
    expect(settingProblems(effectiveEnv(s))).toEqual([]);
    expect(environment(s).REDIS_URL).toBe('redis://redis:6379');
  });

  it('publishes the API on 8080, the port pnpm start uses', () => {
    const api = service('api');
    const port = Number(effectiveEnv(api).PORT ?? API_PORT);
    expect(port).toBe(API_PORT);
    // The host side is API_HOST_PORT when set (test:containers publishes on a free port).
    expect(api.ports).toContain(`\${API_HOST_PORT:-${API_PORT}}:${port}`);
  });

  it('runs Redis append-only, without eviction, on a named volume, with a health check', () => {
    const redis = service('redis');
    const command = (redis.command ?? []).join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    const volume = (redis.volumes ?? []).find((v) =>
      typeof v === 'string' ? v.endsWith(':/data') : v.target === '/data',
    );
    const source = typeof volume === 'string' ? volume.split(':')[0] : volume?.source;
    expect(Object.keys(compose.volumes ?? {})).toContain(source);
    expect(redis.healthcheck?.test).toBeDefined();
  });

  it.each(services.filter(([, s]) => s.build))('%s waits for a healthy Redis and stops within its grace', (_n, s) => {
    const dependsOn = s.depends_on;
    expect(isObject(dependsOn) && isObject(dependsOn.redis) ? dependsOn.redis.condition : undefined).toBe(
      'service_healthy',
    );
    const grace = seconds(s.stop_grace_period ?? '10s');
    expect(grace * 1000).toBeGreaterThan(Number(effectiveEnv(s).SHUTDOWN_GRACE_MS ?? 25_000));
  });

  it('mounts existing model directories at MODEL_REPOSITORY', () => {
    for (const [name, s] of services.filter(([, s]) => s.build)) {
      for (const volume of s.volumes ?? []) {
        if (typeof volume === 'string' || volume.type !== 'bind') continue;
        expect(existsSync(path.resolve(composeDir, volume.source)), `${name}: ${volume.source}`).toBe(true);
        expect(volume.target).toBe(effectiveEnv(s).MODEL_REPOSITORY);
      }
    }
  });

  it('reserves an NVIDIA GPU for the CUDA worker, behind the gpu profile', () => {
    const cuda = service('worker-cuda');
    expect(cuda.profiles).toEqual(['gpu']);
    expect(specOfImage(cuda.image ?? '')?.cuda).toBe(true);
    const devices = cuda.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toContainEqual(expect.objectContaining({ driver: 'nvidia', capabilities: ['gpu'] }));
    expect(effectiveEnv(cuda).EXECUTION_PROVIDERS?.split(',')[0]).toBe('cuda');
    expect(service('worker').profiles).toBeUndefined();
    expect(effectiveEnv(service('worker')).EXECUTION_PROVIDERS).toBe('cpu');
  });

  it('starts the webhook dispatcher by default exactly when its app exists', () => {
    const dispatcher = service('webhook-dispatcher');
    // Without the app, a plain `docker compose up` must not try to build it: keep it behind a profile.
    expect((dispatcher.profiles ?? []).length === 0).toBe(dispatcherExists());
    expect(environment(dispatcher).WEBHOOK_SECRET, 'the dispatcher refuses to start without it').toBeTruthy();
  });
});

describe('docker/compose.yaml, profile ha', () => {
  const sentinels = HA_SERVICES.filter((name) => name.startsWith('sentinel-'));

  it.each(HA_SERVICES)('runs %s behind the profile, from the Redis image', (name) => {
    expect(service(name).profiles).toEqual(['ha']);
    expect(service(name).image).toBe(service('redis').image);
  });

  it('replicates `redis` durably and without eviction', () => {
    const command = (service('redis-replica').command ?? []).join(' ');
    expect(command).toContain('--replicaof redis 6379');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('has three sentinels monitor `redis` as REDIS_SENTINEL_NAME with a quorum of two, and names them in the usage line', () => {
    const name = environment(service('api')).REDIS_SENTINEL_NAME;
    for (const sentinel of sentinels) {
      const script = (service(sentinel).command ?? []).join(' ');
      expect(script).toContain(`'sentinel monitor ${name} redis 6379 2'`);
      expect(script).toContain(`'port 26379'`);
    }
    // The sentinels' port is REDIS_SENTINELS' default: their names alone are a valid setting.
    const usage = readText('docker/compose.yaml').match(/REDIS_SENTINELS=(\S+)/)?.[1] ?? '';
    expect(usage.split(',').sort()).toEqual(sentinels);
  });
});

describe('docker/compose.yaml, profile observability', () => {
  const bindMounts = (s: Service) =>
    (s.volumes ?? []).flatMap((v) => (typeof v !== 'string' && v.type === 'bind' ? [v] : []));
  /** The host path (under docker/) that a service mounts at or above a container path. */
  const hostPathOf = (s: Service, containerPath: string): string => {
    const mount = bindMounts(s).find((v) => containerPath === v.target || containerPath.startsWith(`${v.target}/`));
    if (!mount) throw new Error(`${containerPath} is not mounted`);
    return path.join(path.resolve(composeDir, mount.source), path.relative(mount.target, containerPath));
  };

  it.each(OBSERVABILITY_SERVICES)('runs %s behind the profile, from a pinned image, with mounts that exist', (name) => {
    const s = service(name);
    expect(s.profiles).toEqual(['observability']);
    expect(s.build).toBeUndefined();
    expect(s.image).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+\.\d+$/);
    for (const mount of bindMounts(s))
      expect(existsSync(path.resolve(composeDir, mount.source)), mount.source).toBe(true);
  });

  it('gives Prometheus a configuration that promtool accepts, scraping every service on its port', () => {
    const prometheus = service('prometheus');
    const configArg = (prometheus.command ?? []).find((arg) => arg.startsWith('--config.file='));
    const configFile = hostPathOf(prometheus, configArg?.split('=')[1] ?? '');
    const check = spawnSync(PROMTOOL, ['check', 'config', configFile], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    // Rule files resolve against the configuration's folder: in the container, the mounted rules.
    const config = parse(readFileSync(configFile, 'utf8')) as {
      rule_files: string[];
      scrape_configs: { dns_sd_configs: { names: string[]; port: number }[] }[];
    };
    for (const rules of config.rule_files)
      expect(
        existsSync(hostPathOf(prometheus, path.posix.join(path.posix.dirname(configArg?.split('=')[1] ?? ''), rules))),
      ).toBe(true);
    const targets = config.scrape_configs.flatMap((job) =>
      job.dns_sd_configs.flatMap((sd) => sd.names.map((name) => [name, sd.port] as const)),
    );
    const portOf: Record<string, string | undefined> = {
      api: effectiveEnv(service('api')).PORT,
      worker: effectiveEnv(service('worker')).WORKER_PORT,
      'worker-cuda': effectiveEnv(service('worker-cuda')).WORKER_PORT,
      'webhook-dispatcher': effectiveEnv(service('webhook-dispatcher')).DISPATCHER_PORT,
    };
    expect(Object.fromEntries(targets.map(([name, port]) => [name, String(port)]))).toEqual(portOf);
  });

  it('provisions Grafana with the Prometheus data source and the dashboard folder', () => {
    const grafana = service('grafana');
    const datasources = parse(
      readFileSync(hostPathOf(grafana, '/etc/grafana/provisioning/datasources/datasources.yaml'), 'utf8'),
    ) as { datasources: { type: string; url: string }[] };
    expect(datasources.datasources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    );
    const providers = parse(
      readFileSync(hostPathOf(grafana, '/etc/grafana/provisioning/dashboards/dashboards.yaml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    for (const provider of providers.providers) {
      const folder = hostPathOf(grafana, provider.options.path);
      expect(readdirSync(folder).filter((file) => file.endsWith('.json')).length, folder).toBeGreaterThan(0);
    }
    const home = environment(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(existsSync(hostPathOf(grafana, home)), home).toBe(true);
  });
});
