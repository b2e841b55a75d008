/**
 * k8s/ renders (without a kustomize binary) into objects that pass the Kubernetes, KEDA and
 * Prometheus-operator schemas and agree with the code: images built by docker/, ports and
 * probe paths of the services, settings of packages/config with valid values, references to
 * ConfigMaps and Secrets that exist, Redis reachable only by its clients, shutdown grace
 * above SHUTDOWN_GRACE_MS, and GPU workers scaled by KEDA on their queue down to zero.
 * An overlay that leaves the webhook-dispatcher component out is also rendered with it added.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { defaultPort, externalImages, type ImageSpec, imageEnv, specOfImage } from './lib/images.ts';
import { build, containersOf, isObject, type KObject, objectKey, podSpecs } from './lib/kustomize.ts';
import { schemaProblems } from './lib/models.ts';
import {
  dispatcherExists,
  fromRoot,
  inferenceQueueName,
  isKnownVariable,
  modelNames,
  probePaths,
  readText,
  settingProblems,
} from './lib/repo.ts';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (isObject(value) ? value : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObject) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const DISPATCHER_COMPONENT = '../../components/webhook-dispatcher';
const overlays = [
  { name: 'dev', namespace: 'infer-dev', gpu: false },
  { name: 'gpu', namespace: 'infer', gpu: true },
] as const;
/** The overlay's own components (the dispatcher's is one once its app exists). */
const listedComponents = (overlay: string): string[] =>
  ((parse(readText(`k8s/overlays/${overlay}/kustomization.yaml`)) as Obj).components as string[] | undefined) ?? [];
// Each overlay as it is, and, when it leaves the dispatcher out, with it added, so that the
// component is validated whichever way the overlays are wired.
const variants = overlays.flatMap((overlay) => [
  { ...overlay, dispatcher: false, label: overlay.name },
  ...(listedComponents(overlay.name).includes(DISPATCHER_COMPONENT)
    ? []
    : [{ ...overlay, dispatcher: true, label: `${overlay.name} + webhook-dispatcher` }]),
]);

function render(overlay: string, dispatcher: boolean): KObject[] {
  return build(fromRoot('k8s', 'overlays', overlay), dispatcher ? [DISPATCHER_COMPONENT] : []);
}

// ---------------------------------------------------------------------------------------
// helpers over a rendered set

interface Workload {
  object: KObject;
  podSpec: Obj;
  labels: Record<string, string>;
}

function workloads(objects: KObject[]): Workload[] {
  return objects.flatMap((object) =>
    podSpecs(object).map((podSpec) => {
      const template = obj(obj(object.spec).template);
      return { object, podSpec, labels: obj(obj(template.metadata).labels) as Record<string, string> };
    }),
  );
}

const matches = (selector: Obj, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const find = (objects: KObject[], kind: string, name: string): KObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

function secretValues(secret: KObject): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj(secret.data)))
    values[key] = Buffer.from(String(value), 'base64').toString();
  for (const [key, value] of Object.entries(obj(secret.stringData))) values[key] = String(value);
  return values;
}

/** The environment a container starts with: image ENV, then envFrom, then env. */
function containerEnv(objects: KObject[], container: Obj, spec: ImageSpec | undefined): Record<string, string> {
  const env: Record<string, string> = spec ? Object.fromEntries(imageEnv(spec)) : {};
  for (const source of list(container.envFrom)) {
    const configMap = str(obj(source.configMapRef).name);
    const secret = str(obj(source.secretRef).name);
    if (configMap) Object.assign(env, obj(find(objects, 'ConfigMap', configMap)?.data));
    if (secret) {
      const found = find(objects, 'Secret', secret);
      if (found) Object.assign(env, secretValues(found));
    }
  }
  for (const entry of list(container.env)) {
    const name = str(entry.name) ?? '';
    if (entry.value !== undefined) env[name] = String(entry.value);
    const secretRef = obj(obj(entry.valueFrom).secretKeyRef);
    const configMapRef = obj(obj(entry.valueFrom).configMapKeyRef);
    if (secretRef.name) {
      const found = find(objects, 'Secret', String(secretRef.name));
      const value = found ? secretValues(found)[String(secretRef.key)] : undefined;
      if (value !== undefined) env[name] = value;
    }
    if (configMapRef.name) {
      const value = obj(find(objects, 'ConfigMap', String(configMapRef.name))?.data)[String(configMapRef.key)];
      if (value !== undefined) env[name] = String(value);
    }
  }
  return env;
}

function containerPort(container: Obj, port: unknown): number | undefined {
  const ports = list(container.ports);
  if (typeof port === 'number') return ports.some((p) => p.containerPort === port) ? port : undefined;
  const named = ports.find((p) => p.name === port);
  return typeof named?.containerPort === 'number' ? named.containerPort : undefined;
}

function preStopSeconds(container: Obj): number {
  const preStop = obj(obj(container.lifecycle).preStop);
  const command = obj(preStop.exec).command;
  if (Array.isArray(command) && command[0] === 'sleep') return Number(command[1]);
  const sleep = obj(preStop.sleep).seconds;
  return typeof sleep === 'number' ? sleep : 0;
}

/** Our containers (built from docker/), with their image spec. */
function projectContainers(objects: KObject[]) {
  return workloads(objects).flatMap((workload) =>
    containersOf(workload.podSpec).map((container) => ({
      workload,
      container,
      spec: specOfImage(str(container.image) ?? ''),
    })),
  );
}

// ---------------------------------------------------------------------------------------

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** `kubectl kustomize` of an overlay; `extraComponents` are added to its kustomization in a copy of k8s/. */
function kubectlKustomize(overlay: string, extraComponents: readonly string[]): KObject[] {
  let dir = fromRoot('k8s', 'overlays', overlay);
  if (extraComponents.length > 0) {
    const copy = mkdtempSync(path.join(tmpdir(), 'infer-k8s-'));
    scratch.push(copy);
    cpSync(fromRoot('k8s'), path.join(copy, 'k8s'), { recursive: true });
    dir = path.join(copy, 'k8s', 'overlays', overlay);
    const file = path.join(dir, 'kustomization.yaml');
    const kustomization = parse(readFileSync(file, 'utf8')) as Obj;
    kustomization.components = [...((kustomization.components as string[] | undefined) ?? []), ...extraComponents];
    writeFileSync(file, stringify(kustomization));
  }
  const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
  return parseAllDocuments(output).map((d) => d.toJS() as KObject);
}

const byKey = (set: KObject[]) => Object.fromEntries(set.map((o) => [objectKey(o), o]));

describe.each(variants)('k8s overlay $label', ({ name: overlay, namespace, gpu, dispatcher }) => {
  const objects = render(overlay, dispatcher);
  const containers = projectContainers(objects);

  it('renders objects that pass their schemas', () => {
    expect(objects.length).toBeGreaterThan(5);
    const problems = objects.map((o) => [objectKey(o), schemaProblems(o)]).filter(([, problem]) => problem);
    expect(problems).toEqual([]);
  });

  it.skipIf(!kubectl)('renders like kubectl kustomize', () => {
    expect(byKey(objects)).toEqual(byKey(kubectlKustomize(overlay, dispatcher ? [DISPATCHER_COMPONENT] : [])));
  });

  it('puts everything in its namespace', () => {
    expect(find(objects, 'Namespace', namespace)).toBeDefined();
    for (const o of objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace, objectKey(o)).toBe(namespace);
  });

  it('runs images built by docker/ (or pinned third-party ones)', () => {
    for (const { workload, container, spec } of containers) {
      const image = str(container.image) ?? '';
      const where = `${objectKey(workload.object)} ${image}`;
      if (!spec) {
        const name = image.split(':')[0]?.split('/').pop() ?? '';
        expect(externalImages.has(name), where).toBe(true);
        expect(image, where).toMatch(/:\d+\.\d+\.\d+/);
        continue;
      }
      const tag = image.split('/').pop()?.split(':')[1];
      if (gpu) {
        expect(image, where).toMatch(/^[a-z0-9.-]+\.[a-z]+(:\d+)?\//); // a registry
        expect(tag, where).toMatch(/^\d+\.\d+\.\d+/);
      } else {
        expect(tag, where).toBe('dev');
      }
      // Which app each Deployment runs: infer-<app>.
      expect(workload.object.metadata.name, where).toBe(`infer-${spec.app}`);
      expect(spec.cuda, where).toBe(gpu && spec.app === 'worker');
    }
  });

  it('sets only known settings, all valid, from ConfigMaps and Secrets that exist', () => {
    for (const { workload, container, spec } of containers) {
      if (!spec) continue;
      const where = `${objectKey(workload.object)}/${String(container.name)}`;
      for (const entry of list(container.env)) {
        expect(isKnownVariable(String(entry.name)), `${where}: env ${String(entry.name)}`).toBe(true);
        const secretRef = obj(obj(entry.valueFrom).secretKeyRef);
        if (secretRef.name) {
          const secret = find(objects, 'Secret', String(secretRef.name));
          expect(secret, `${where}: Secret ${String(secretRef.name)}`).toBeDefined();
          // optional: true lets the key be absent (e.g. JWT_SECRET when API_KEYS is used).
          if (secretRef.optional !== true) {
            expect(Object.keys(secretValues(secret as KObject)), `${where}: key`).toContain(secretRef.key);
          }
        }
        const configMapRef = obj(obj(entry.valueFrom).configMapKeyRef);
        if (configMapRef.name) {
          const configMap = find(objects, 'ConfigMap', String(configMapRef.name));
          expect(Object.keys(obj(configMap?.data)), `${where}: ConfigMap key`).toContain(configMapRef.key);
        }
      }
      for (const source of list(container.envFrom)) {
        const configMap = str(obj(source.configMapRef).name);
        const secret = str(obj(source.secretRef).name);
        const found = configMap ? find(objects, 'ConfigMap', configMap) : find(objects, 'Secret', secret ?? '');
        expect(found, `${where}: envFrom ${configMap ?? secret}`).toBeDefined();
        const keys = configMap ? Object.keys(obj(found?.data)) : Object.keys(secretValues(found as KObject));
        for (const key of keys) expect(isKnownVariable(key), `${where}: envFrom key ${key}`).toBe(true);
      }
      const env = containerEnv(objects, container, spec);
      expect(settingProblems(env), where).toEqual([]);
      if (spec.app === 'webhook-dispatcher') expect(env.WEBHOOK_SECRET, `${where}: required`).toBeTruthy();
    }
  });

  it('keeps every Secret and ConfigMap key a known setting (dashboards for Grafana aside)', () => {
    for (const o of objects) {
      if (o.kind === 'ConfigMap' && obj(o.metadata.labels).grafana_dashboard === undefined)
        for (const key of Object.keys(obj(o.data))) expect(isKnownVariable(key), key).toBe(true);
      if (o.kind === 'Secret')
        for (const key of Object.keys(secretValues(o))) expect(isKnownVariable(key), key).toBe(true);
    }
  });

  it('listens on the configured ports and probes the paths the services answer', () => {
    for (const { workload, container, spec } of containers) {
      if (!spec) continue;
      const where = `${objectKey(workload.object)}/${String(container.name)}`;
      const env = containerEnv(objects, container, spec);
      const expected = defaultPort(spec);
      expect(Number(env[spec.portSetting] ?? expected), `${where}: ${spec.portSetting}`).toBe(expected);
      expect(
        list(container.ports).map((p) => p.containerPort),
        where,
      ).toEqual([expected]);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const httpGet = obj(obj(container[probe]).httpGet);
        if (probe !== 'startupProbe') expect(httpGet.path, `${where}: ${probe}`).toBeDefined();
        if (httpGet.path === undefined) continue;
        expect(probePaths.has(String(httpGet.path)), `${where}: ${probe} ${String(httpGet.path)}`).toBe(true);
        expect(containerPort(container, httpGet.port), `${where}: ${probe} port`).toBe(expected);
      }
    }
  });

  it("probes the API's readiness on /healthz, so that workers at zero do not take it out of service", () => {
    const api = containers.find(({ spec }) => spec?.app === 'api');
    expect(obj(obj(api?.container.readinessProbe).httpGet).path).toBe('/healthz');
    const worker = containers.find(({ spec }) => spec?.app === 'worker');
    expect(obj(obj(worker?.container.readinessProbe).httpGet).path).toBe('/readyz');
    expect(obj(obj(worker?.container.livenessProbe).httpGet).path).toBe('/healthz');
  });

  it('routes Services and monitors to ports that exist', () => {
    const all = workloads(objects);
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const selector = obj(obj(service.spec).selector) as Record<string, string>;
      const targets = all.filter((w) => matches(selector, w.labels));
      expect(targets.length, `${objectKey(service)} selects no pod`).toBeGreaterThan(0);
      for (const port of list(obj(service.spec).ports)) {
        for (const target of targets) {
          const resolved = containersOf(target.podSpec).some((c) => containerPort(c, port.targetPort ?? port.port));
          expect(resolved, `${objectKey(service)} port ${String(port.name)}`).toBe(true);
        }
      }
    }
    for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
      const selector = obj(obj(obj(monitor.spec).selector).matchLabels) as Record<string, string>;
      const selected = objects.filter(
        (o) => o.kind === 'Service' && matches(selector, obj(o.metadata.labels) as Record<string, string>),
      );
      expect(selected.length, objectKey(monitor)).toBeGreaterThan(0);
      for (const endpoint of list(obj(monitor.spec).endpoints)) {
        expect(endpoint.path).toBe('/metrics');
        for (const s of selected) expect(list(obj(s.spec).ports).map((p) => p.name)).toContain(endpoint.port);
      }
    }
  });

  it('points autoscalers and disruption budgets at workloads that exist', () => {
    const scaled = new Set<string>();
    for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler' || x.kind === 'ScaledObject')) {
      const ref = obj(obj(o.spec).scaleTargetRef);
      const target = find(objects, str(ref.kind) ?? 'Deployment', String(ref.name));
      expect(target, objectKey(o)).toBeDefined();
      expect(scaled.has(String(ref.name)), `${String(ref.name)} has two autoscalers`).toBe(false);
      scaled.add(String(ref.name));
      // A replicas field would be reset by every `kubectl apply`, fighting the autoscaler.
      expect(obj(target?.spec).replicas, `${String(ref.name)} replicas`).toBeUndefined();
    }
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const selector = obj(obj(obj(pdb.spec).selector).matchLabels) as Record<string, string>;
      expect(
        workloads(objects).some((w) => matches(selector, w.labels)),
        objectKey(pdb),
      ).toBe(true);
    }
    expect(scaled).toContain('infer-api');
    expect(find(objects, 'PodDisruptionBudget', 'infer-api')).toBeDefined();
  });

  it('lets only the API, workers and dispatcher reach Redis', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const redisPods = workloads(objects).filter((w) => w.object.metadata.name === 'infer-redis');
    expect(redisPods.length).toBe(1);
    const guarding = policies.filter((p) =>
      matches(obj(obj(obj(p.spec).podSelector).matchLabels) as Record<string, string>, redisPods[0]?.labels ?? {}),
    );
    expect(guarding.length).toBe(1);
    const policy = obj(guarding[0]?.spec);
    expect(policy.policyTypes).toContain('Ingress');
    const allowed = list(policy.ingress).flatMap((rule) =>
      list(rule.from).map((peer) => {
        expect(peer.namespaceSelector, 'Redis open to other namespaces').toBeUndefined();
        expect(peer.ipBlock, 'Redis open to IP ranges').toBeUndefined();
        return obj(obj(peer.podSelector).matchLabels) as Record<string, string>;
      }),
    );
    for (const w of workloads(objects)) {
      if (w.object.metadata.name === 'infer-redis') continue;
      const usesRedis = containersOf(w.podSpec).some((c) => list(c.env).some((e) => e.name === 'REDIS_URL'));
      const admitted = allowed.some((selector) => matches(selector, w.labels));
      expect(admitted, `${objectKey(w.object)} ${usesRedis ? 'needs' : 'must not get'} Redis access`).toBe(usesRedis);
    }
  });

  it('runs Redis with AOF on a PersistentVolume, without eviction, where REDIS_URL points', () => {
    const redis = find(objects, 'StatefulSet', 'infer-redis');
    const spec = obj(redis?.spec);
    const container = containersOf(obj(obj(spec.template).spec))[0] ?? {};
    const args = (container.args as string[]).join(' ');
    expect(args).toMatch(/--appendonly yes\b/);
    expect(args).toMatch(/--maxmemory-policy noeviction\b/);
    const claim = list(spec.volumeClaimTemplates)[0];
    const dir = /--dir (\S+)/.exec(args)?.[1];
    expect(list(container.volumeMounts)).toContainEqual(
      expect.objectContaining({ name: obj(claim?.metadata).name, mountPath: dir }),
    );
    const service = find(objects, 'Service', String(spec.serviceName));
    const url = new URL(secretValues(find(objects, 'Secret', 'infer-secrets') as KObject).REDIS_URL ?? '');
    expect(url.hostname).toBe(service?.metadata.name);
    expect(list(obj(service?.spec).ports).map((p) => String(p.port))).toContain(url.port || '6379');
  });

  it('gives every pod time to finish its work after SIGTERM', () => {
    for (const { workload, container, spec } of containers) {
      if (!spec) continue;
      const where = objectKey(workload.object);
      const graceMs = Number(workload.podSpec.terminationGracePeriodSeconds ?? 30) * 1000;
      const shutdownMs = Number(containerEnv(objects, container, spec).SHUTDOWN_GRACE_MS);
      expect(shutdownMs, where).toBeGreaterThan(0);
      // margin for closing connections and for the kubelet's own delay
      expect(graceMs, where).toBeGreaterThanOrEqual(preStopSeconds(container) * 1000 + shutdownMs + 5000);
      if (spec.app === 'api') expect(preStopSeconds(container), `${where}: preStop`).toBeGreaterThan(0);
    }
  });

  it('runs as non-root with a read-only root filesystem and a writable /tmp', () => {
    for (const { workload, container, spec } of containers) {
      const where = `${objectKey(workload.object)}/${String(container.name)}`;
      expect(obj(workload.podSpec.securityContext).runAsNonRoot, where).toBe(true);
      const securityContext = obj(container.securityContext);
      expect(securityContext.allowPrivilegeEscalation, where).toBe(false);
      expect(securityContext.readOnlyRootFilesystem, where).toBe(true);
      if (!spec) continue;
      // HOME lives in /tmp (npm and libraries that write caches under it).
      expect(imageEnv(spec).get('HOME')).toBe('/tmp');
      const mount = list(container.volumeMounts).find((m) => m.mountPath === '/tmp');
      const volume = list(workload.podSpec.volumes).find((v) => v.name === mount?.name);
      expect(volume?.emptyDir, `${where}: /tmp emptyDir`).toBeDefined();
    }
  });

  it(gpu ? 'puts workers on GPU nodes, one GPU each' : 'runs CPU workers with no GPU', () => {
    const worker = containers.find(({ spec }) => spec?.app === 'worker');
    const podSpec = worker?.workload.podSpec ?? {};
    const resources = obj(worker?.container.resources);
    const env = containerEnv(objects, worker?.container ?? {}, worker?.spec);
    if (!gpu) {
      expect(obj(resources.limits)['nvidia.com/gpu']).toBeUndefined();
      expect(env.EXECUTION_PROVIDERS).toBe('cpu');
      expect(objects.filter((o) => o.apiVersion.startsWith('keda.sh/'))).toEqual([]);
      return;
    }
    expect(obj(resources.limits)['nvidia.com/gpu']).toBe(1);
    expect(env.EXECUTION_PROVIDERS?.split(',')[0]).toBe('cuda');
    expect(Object.keys(obj(podSpec.nodeSelector)).length).toBeGreaterThan(0);
    expect(list(podSpec.tolerations)).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu' }));
  });

  it.runIf(gpu)("scales GPU workers with KEDA on their model queue's depth, down to zero", () => {
    const scaledObjects = objects.filter((o) => o.kind === 'ScaledObject');
    expect(scaledObjects.length).toBe(1);
    const spec = obj(scaledObjects[0]?.spec);
    expect(obj(spec.scaleTargetRef).name).toBe('infer-worker');
    expect(spec.minReplicaCount).toBe(0);
    expect(Number(spec.maxReplicaCount)).toBeGreaterThanOrEqual(1);
    expect(Number(spec.cooldownPeriod)).toBeGreaterThan(0);
    const trigger = list(spec.triggers)[0] ?? {};
    expect(trigger.type).toBe('prometheus');
    const metadata = obj(trigger.metadata) as Record<string, string>;
    expect(() => new URL(metadata.serverAddress ?? '')).not.toThrow();
    const query = metadata.query ?? '';
    expect(query).toContain('inference_queue_jobs{');
    const queue = /queue="([^"]+)"/.exec(query)?.[1];
    expect(modelNames().map(inferenceQueueName)).toContain(queue);
    const states = /state=~"([^"]+)"/.exec(query)?.[1]?.split('|') ?? [];
    expect(states).toEqual(expect.arrayContaining(['waiting', 'prioritized']));
    const queryNamespace = /namespace="([^"]+)"/.exec(query)?.[1];
    if (queryNamespace !== undefined) expect(queryNamespace).toBe(namespace);
    expect(Number(metadata.threshold)).toBeGreaterThan(0);
    expect(metadata.activationThreshold).toBeDefined();
    // The worker serves that model (WORKER_MODELS empty = every model of the repository).
    const worker = containers.find(({ spec: s }) => s?.app === 'worker');
    const served = containerEnv(objects, worker?.container ?? {}, worker?.spec).WORKER_MODELS ?? '';
    if (served !== '') expect(served.split(',').map(inferenceQueueName)).toContain(queue);
    // The metric comes from the API, which runs with zero workers: scale-up from zero works.
    const scraped = objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name);
    expect(scraped).toContain('infer-api');
  });
});

describe.each(overlays)('k8s overlay $name and the webhook dispatcher', ({ name: overlay }) => {
  it('deploys the dispatcher exactly when apps/webhook-dispatcher exists', () => {
    const deployed = find(render(overlay, false), 'Deployment', 'infer-webhook-dispatcher') !== undefined;
    expect(deployed).toBe(dispatcherExists());
  });
});

describe('the queue-depth metric', () => {
  const apiSources = (() => {
    try {
      return execFileSync('grep', ['-rl', 'inference_queue_jobs', fromRoot('apps', 'api', 'src')], {
        encoding: 'utf8',
      });
    } catch {
      return '';
    }
  })();
  it.skipIf(apiSources === '')('that KEDA queries is exported by the API', () => {
    expect(readText('k8s/overlays/gpu/worker-scaledobject.yaml')).toContain('inference_queue_jobs');
  });
});

describe('k8s component redis-sentinel, added to overlay dev', () => {
  const objects = build(fromRoot('k8s', 'overlays', 'dev'), ['../../components/redis-sentinel']);
  const config = (find(objects, 'ConfigMap', 'infer-config')?.data ?? {}) as Record<string, string>;
  const sentinels = find(objects, 'StatefulSet', 'infer-redis-sentinel');
  const sentinelSpec = obj(sentinels?.spec);
  const scripts = (find(objects, 'ConfigMap', 'infer-redis-sentinel-scripts')?.data ?? {}) as Record<string, string>;

  it('renders objects that pass their schemas', () => {
    const problems = objects.map((o) => [objectKey(o), schemaProblems(o)]).filter(([, problem]) => problem);
    expect(problems).toEqual([]);
  });

  it('names every sentinel pod in REDIS_SENTINELS, valid settings, with WAIT on', () => {
    expect(settingProblems(config)).toEqual([]);
    const service = String(sentinelSpec.serviceName);
    expect(find(objects, 'Service', service)).toBeDefined();
    const expected = Array.from(
      { length: Number(sentinelSpec.replicas) },
      (_, i) => `${sentinels?.metadata.name}-${i}.${service}:26379`,
    );
    expect(config.REDIS_SENTINELS?.split(',')).toEqual(expected);
    expect(Number(config.REDIS_WAIT_REPLICAS)).toBeGreaterThanOrEqual(1);
  });

  it('runs a primary and enough replicas for REDIS_WAIT_REPLICAS, watched under REDIS_SENTINEL_NAME by a quorum of a majority', () => {
    const redis = obj(find(objects, 'StatefulSet', 'infer-redis')?.spec);
    expect(Number(redis.replicas) - 1).toBeGreaterThanOrEqual(Number(config.REDIS_WAIT_REPLICAS));
    const monitor = /sentinel monitor (\S+) \S+ 6379 (\d+)/.exec(scripts['start-sentinel.sh'] ?? '');
    expect(monitor?.[1]).toBe(config.REDIS_SENTINEL_NAME);
    expect(Number(monitor?.[2])).toBe(Math.floor(Number(sentinelSpec.replicas) / 2) + 1);
    // Data nodes and sentinels ask the sentinels under the same name.
    expect(scripts['start-redis.sh']).toContain(`get-master-addr-by-name ${config.REDIS_SENTINEL_NAME}`);
  });

  it('lets the API, workers and dispatcher reach the sentinels, and the data nodes reach each other', () => {
    const policy = obj(find(objects, 'NetworkPolicy', 'infer-redis-sentinel')?.spec);
    const selectors = list(policy.ingress).flatMap((rule) =>
      list(rule.from).map((peer) => obj(obj(peer.podSelector).matchLabels) as Record<string, string>),
    );
    for (const w of workloads(objects)) {
      const usesRedis = containersOf(w.podSpec).some((c) => list(c.env).some((e) => e.name === 'REDIS_URL'));
      if (usesRedis)
        expect(
          selectors.some((s) => matches(s, w.labels)),
          objectKey(w.object),
        ).toBe(true);
    }
    const redisLabels = workloads(objects).find((w) => w.object.metadata.name === 'infer-redis')?.labels ?? {};
    expect(redisLabels['infer/redis-client']).toBe('true');
  });
});

describe('k8s component redis-cluster, added to overlay dev', () => {
  const COMPONENT = '../../components/redis-cluster';
  const objects = build(fromRoot('k8s', 'overlays', 'dev'), [COMPONENT]);
  const config = (find(objects, 'ConfigMap', 'infer-config')?.data ?? {}) as Record<string, string>;
  const nodes = find(objects, 'StatefulSet', 'infer-redis-cluster');
  const nodeSpec = obj(nodes?.spec);
  const nodePod = obj(obj(nodeSpec.template).spec);
  const nodeContainer = containersOf(nodePod)[0] ?? {};
  const args = (nodeContainer.args as string[] | undefined) ?? [];
  /** The value of a redis-server option in the nodes' args (the last one wins, as in redis-server). */
  const option = (name: string): string | undefined => {
    const index = args.lastIndexOf(`--${name}`);
    return index < 0 ? undefined : args[index + 1];
  };
  const scripts = (find(objects, 'ConfigMap', 'infer-redis-cluster-scripts')?.data ?? {}) as Record<string, string>;
  const bootstrap = scripts['bootstrap.sh'] ?? '';
  const job = find(objects, 'Job', 'infer-redis-cluster-bootstrap');
  const jobPod = obj(obj(obj(job?.spec).template).spec);
  const jobContainer = containersOf(jobPod)[0] ?? {};
  const podsOf = (workload: KObject | undefined) =>
    Array.from({ length: Number(obj(workload?.spec).replicas) }, (_, i) => `${workload?.metadata.name}-${i}`);

  it('renders objects that pass their schemas', () => {
    const problems = objects.map((o) => [objectKey(o), schemaProblems(o)]).filter(([, problem]) => problem);
    expect(problems).toEqual([]);
  });

  it.skipIf(!kubectl)('renders like kubectl kustomize (which also deletes the single infer-redis)', () => {
    expect(byKey(objects)).toEqual(byKey(kubectlKustomize('dev', [COMPONENT])));
  });

  it('names every node of the StatefulSet through its headless Service in REDIS_CLUSTER_NODES', () => {
    const service = find(objects, 'Service', String(nodeSpec.serviceName));
    const serviceSpec = obj(service?.spec);
    expect(serviceSpec.clusterIP).toBe('None');
    // Named before they are ready: the bootstrap Job and the other nodes need them to form the cluster.
    expect(serviceSpec.publishNotReadyAddresses).toBe(true);
    expect(
      matches(obj(serviceSpec.selector), obj(obj(obj(nodeSpec.template).metadata).labels) as Record<string, string>),
    ).toBe(true);
    const expected = podsOf(nodes).map((pod) => `${pod}.${service?.metadata.name}:6379`);
    expect(config.REDIS_CLUSTER_NODES?.split(',')).toEqual(expected);
    expect(containerPort(nodeContainer, 6379)).toBe(6379);
  });

  it('gives every process valid settings: a Cluster, no Sentinel, a queue shard per primary, WAIT on', () => {
    const secret = secretValues(find(objects, 'Secret', 'infer-secrets') as KObject);
    expect(settingProblems({ ...secret, ...config })).toEqual([]);
    expect(config.REDIS_SENTINELS).toBeUndefined();
    const clients = projectContainers(objects).filter(({ spec }) => spec !== undefined);
    expect(clients.map(({ spec }) => spec?.app).sort()).toEqual(['api', 'webhook-dispatcher', 'worker']);
    for (const { workload, container, spec } of clients) {
      const env = containerEnv(objects, container, spec);
      expect(settingProblems(env), objectKey(workload.object)).toEqual([]);
      expect(env.REDIS_CLUSTER_NODES, objectKey(workload.object)).toBe(config.REDIS_CLUSTER_NODES);
    }
    const primaries = Number(nodeSpec.replicas) / 2;
    expect(Number(config.QUEUE_SHARDS)).toBe(primaries);
    // One replica per primary: WAIT for it.
    expect(Number(config.REDIS_WAIT_REPLICAS)).toBe(1);
  });

  it('runs six nodes, created as three primaries with a replica each', () => {
    expect(nodeSpec.replicas).toBe(6);
    expect(nodeSpec.podManagementPolicy).toBe('Parallel');
    expect(bootstrap).toMatch(/redis-cli --cluster create \$nodes --cluster-replicas 1 --cluster-yes/);
    // Its default node list is the one every process is given.
    expect(/REDIS_CLUSTER_NODES:-([^}]+)\}/.exec(bootstrap)?.[1]).toBe(config.REDIS_CLUSTER_NODES);
  });

  it('configures the nodes as a cluster with the base Redis image, AOF and noeviction on their volume, announcing stable names', () => {
    const base = find(build(fromRoot('k8s', 'overlays', 'dev')), 'StatefulSet', 'infer-redis');
    expect(nodeContainer.image).toBe(containersOf(podSpecs(base as KObject)[0] ?? {})[0]?.image);
    expect(nodeContainer.command).toEqual(['sh', '/scripts/start-redis.sh']);
    expect(scripts['start-redis.sh']).toMatch(/exec redis-server "\$@"\n/);
    expect(option('cluster-enabled')).toBe('yes');
    expect(Number(option('cluster-node-timeout'))).toBeGreaterThan(0);
    expect(option('cluster-require-full-coverage')).toBe('no');
    expect(option('appendonly')).toBe('yes');
    expect(option('maxmemory-policy')).toBe('noeviction');
    // The nodes file and the AOF on the PersistentVolume: a restarted node is the same node.
    const claim = obj(list(nodeSpec.volumeClaimTemplates)[0]?.metadata).name;
    const mount = list(nodeContainer.volumeMounts).find((m) => m.name === claim);
    expect(option('dir')).toBe(mount?.mountPath);
    expect(option('cluster-config-file')?.startsWith(`${String(mount?.mountPath)}/`)).toBe(true);
    // Clients get each pod's DNS name (pod IPs change on restart): $(POD_NAME) is the pod's name.
    expect(option('cluster-announce-hostname')).toBe(`$(POD_NAME).${String(nodeSpec.serviceName)}`);
    expect(list(nodeContainer.env).find((e) => e.name === 'POD_NAME')).toEqual({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(option('cluster-preferred-endpoint-type')).toBe('hostname');
    // The cluster bus listens on the default port + 10000.
    expect(option('port') ?? '6379').toBe('6379');
    expect(option('cluster-port')).toBeUndefined();
    expect(containerPort(nodeContainer, 16379)).toBe(16379);
    // The bus dials IPs: the start script refreshes them in the nodes file from the hostnames.
    expect(scripts['start-redis.sh']).toContain('getent hosts');
  });

  it('bootstraps from a Job that creates the cluster only when no node knows another', () => {
    expect(obj(jobPod).restartPolicy).toBe('OnFailure');
    expect(jobContainer.image).toBe(nodeContainer.image);
    expect(jobContainer.command).toEqual(['sh', '/scripts/bootstrap.sh']);
    expect(list(jobContainer.env)).toContainEqual({
      name: 'REDIS_CLUSTER_NODES',
      valueFrom: { configMapKeyRef: { name: 'infer-config', key: 'REDIS_CLUSTER_NODES' } },
    });
    const scriptVolume = list(jobPod.volumes).find((v) => obj(v.configMap).name === 'infer-redis-cluster-scripts');
    expect(list(jobContainer.volumeMounts)).toContainEqual(
      expect.objectContaining({ name: scriptVolume?.name, mountPath: '/scripts' }),
    );
    // The guard: every node is asked before anything is created, and a node that knows other
    // nodes or serves slots means the cluster exists.
    const create = bootstrap.indexOf('redis-cli --cluster create');
    for (const guard of ['ping', 'cluster info', 'cluster_known_nodes', 'cluster_slots_assigned', 'cluster_state']) {
      expect(bootstrap.indexOf(guard), guard).toBeGreaterThanOrEqual(0);
      expect(bootstrap.indexOf(guard), guard).toBeLessThan(create);
    }
    expect(bootstrap).toMatch(
      /if \[ "\$known" -gt 1 \] \|\| \[ "\$assigned" -gt 0 \]; then formed="\$formed \$node"; fi/,
    );
    expect(bootstrap).toMatch(/if \[ -n "\$formed" \]; then\n\s+echo "cluster already formed/);
  });

  it('lets every Redis client and the Job reach the nodes, and the nodes reach each other on the bus', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const nodeLabels = obj(obj(obj(nodeSpec.template).metadata).labels) as Record<string, string>;
    const guarding = policies.filter((p) =>
      matches(obj(obj(obj(p.spec).podSelector).matchLabels) as Record<string, string>, nodeLabels),
    );
    expect(guarding.map((p) => p.metadata.name)).toEqual(['infer-redis-cluster']);
    const policy = obj(guarding[0]?.spec);
    expect(policy.policyTypes).toContain('Ingress');
    const admits = (labels: Record<string, string>, port: number) =>
      list(policy.ingress).some(
        (rule) =>
          list(rule.ports).some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP') &&
          list(rule.from).some((peer) => {
            expect(peer.namespaceSelector, 'Redis open to other namespaces').toBeUndefined();
            expect(peer.ipBlock, 'Redis open to IP ranges').toBeUndefined();
            return matches(obj(obj(peer.podSelector).matchLabels), labels);
          }),
      );
    for (const w of workloads(objects)) {
      const where = objectKey(w.object);
      const usesRedis = containersOf(w.podSpec).some((c) => list(c.env).some((e) => e.name === 'REDIS_URL'));
      const isNode = w.object === nodes;
      const needs = usesRedis || isNode || w.object === job;
      expect(admits(w.labels, 6379), `${where} ${needs ? 'needs' : 'must not get'} port 6379`).toBe(needs);
      expect(admits(w.labels, 16379), `${where}: cluster bus`).toBe(isNode);
    }
  });

  it('leaves no single infer-redis to receive traffic', () => {
    for (const kind of ['StatefulSet', 'Service', 'NetworkPolicy'])
      expect(find(objects, kind, 'infer-redis')).toBeUndefined();
    expect(workloads(objects).filter((w) => w.labels['app.kubernetes.io/name'] === 'infer-redis')).toEqual([]);
    // Each Service selects pods that exist, on ports they listen on.
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const targets = workloads(objects).filter((w) => matches(obj(obj(service.spec).selector), w.labels));
      expect(targets.length, objectKey(service)).toBeGreaterThan(0);
      for (const port of list(obj(service.spec).ports))
        for (const target of targets)
          expect(
            containersOf(target.podSpec).some((c) => containerPort(c, port.targetPort ?? port.port)),
            `${objectKey(service)} ${String(port.name)}`,
          ).toBe(true);
    }
    // Drains take one node at a time: never a primary and its replica together.
    const pdb = obj(find(objects, 'PodDisruptionBudget', 'infer-redis-cluster')?.spec);
    expect(pdb.maxUnavailable).toBe(1);
    expect(obj(obj(pdb.selector).matchLabels)).toEqual(obj(nodeSpec.selector).matchLabels);
  });
});
