/**
 * `pnpm test:containers`: the real images, built from the unchanged Dockerfiles through podman's
 * Docker-compatible API (lib/docker-host.ts) on base images assembled offline (base-images.sh),
 * and docker/compose.yaml run by a real Compose (Debian's docker-compose, through testcontainers'
 * DockerComposeEnvironment, with wait strategies on the health checks and ports), checked from
 * outside through its published port: answers of the reference model, a signed webhook to a
 * receiver on the host, a worker killed mid-run, a draining stop, health checks, users, read-only
 * roots, and agreement of the engine's image inspect with k8s/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobAccepted, JobView } from '@infer/contracts';
import { Webhook } from 'standardwebhooks';
import { getContainerRuntimeClient, ImageName, type StartedDockerComposeEnvironment, Wait } from 'testcontainers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { parseDockerfile } from '../deploy/lib/dockerfile.ts';
import { imageSpecs } from '../deploy/lib/images.ts';
import { build, containersOf, isObject, podSpecs } from '../deploy/lib/kustomize.ts';
import { fromRoot, isKnownVariable, probePaths } from '../deploy/lib/repo.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { ComposeProject, type ComposeService, seconds } from './lib/compose-project.ts';
import { useDockerHost } from './lib/docker-host.ts';
import { containerLogs, dockerode, imageHealthcheck } from './lib/engine.ts';
import { runHealthChecks } from './lib/health-checks.ts';
import { assembleBaseImages, type BuiltImage, buildImage, printImages } from './lib/images.ts';
import { type CapturedLogs, captureLogs } from './lib/log-capture.ts';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (isObject(value) ? value : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObject) : []);

const PROJECT = `infer-test-${process.pid}`;
const SERVICES = ['api', 'worker', 'webhook-dispatcher'] as const;
const leaf = readFileSync(fromRoot('examples/leaf.jpg'));
const rustLeaf = readFileSync(fromRoot('examples/rust-leaf.jpg'));

interface ImageConfig {
  Config: {
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    Env?: string[];
    WorkingDir?: string;
    Cmd?: string[];
  };
}

let stopDockerHost: (() => Promise<void>) | undefined;
let stopHealthChecks: (() => Promise<void>) | undefined;
let logs: CapturedLogs | undefined;
let project: ComposeProject | undefined;
let environment: StartedDockerComposeEnvironment | undefined;
/** The services as Compose resolved the file (`docker-compose config`). */
let services: Record<string, ComposeService>;
let receiver: WebhookReceiver | undefined;
let apiUrl: string;
let failed = false;
const built: BuiltImage[] = [];

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const compose = () => project as ComposeProject;
const service = (name: string): ComposeService => {
  const found = services[name];
  if (!found) throw new Error(`no service ${name} in docker/compose.yaml`);
  return found;
};
const containerName = (name: string) => compose().container(name);
const container = (name: string) => (environment as StartedDockerComposeEnvironment).getContainer(containerName(name));
const containerState = async (name: string) => (await dockerode()).getContainer(containerName(name)).inspect();
const logsOf = (name: string) => containerLogs(containerName(name));

async function submit(image: Buffer, fields: Record<string, string> = {}, wait?: number): Promise<Response> {
  const form = new FormData();
  form.set('image', new Blob([image]), 'leaf.jpg');
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return fetch(`${apiUrl}/v1/jobs`, { method: 'POST', body: form, headers: wait ? { prefer: `wait=${wait}` } : {} });
}

async function job(id: string): Promise<JobView> {
  return (await (await fetch(`${apiUrl}/v1/jobs/${id}`)).json()) as JobView;
}

async function allSucceeded(ids: readonly string[], timeoutMs: number): Promise<JobView[]> {
  return until(
    `all ${ids.length} jobs succeeded`,
    async () => {
      const views = await Promise.all(ids.map(job));
      return views.every((view) => view.status === 'succeeded') ? views : undefined;
    },
    timeoutMs,
  );
}

/** The CUDA worker's stages that need neither the nvidia/cuda base nor the CUDA provider download. */
function cudaStages() {
  const dockerfile = parseDockerfile(readFileSync(fromRoot('docker/worker-cuda.Dockerfile'), 'utf8'));
  const cudaBase = dockerfile.globalArgs.get('CUDA_IMAGE') ?? 'nvidia/cuda';
  const blocked = new Map<string, string>();
  for (const stage of dockerfile.stages) {
    const from = dockerfile.stages.find((s) => s.name === stage.image);
    if (stage.image === cudaBase)
      blocked.set(stage.name ?? '', `FROM ${cudaBase}: not in any local store, and registries are out of reach`);
    else if (stage.env.get('ONNXRUNTIME_NODE_INSTALL') === 'cuda12')
      blocked.set(
        stage.name ?? '',
        "onnxruntime-node's install step downloads the CUDA 12 provider from api.nuget.org, out of reach here",
      );
    else if (from && blocked.has(from.name ?? '')) blocked.set(stage.name ?? '', `built on ${from.name}`);
  }
  const buildable = dockerfile.stages.map((s) => s.name ?? '').filter((name) => !blocked.has(name));
  return { buildable, blocked };
}

/** Every service's output, the last `lines` of it (from the captured streams: containers may be gone). */
function printLogs(lines: number): void {
  for (const name of Object.keys(services ?? {})) {
    const captured = logs?.lines(name, lines) ?? [];
    if (captured.length) console.log(`--- ${name} (last ${captured.length} lines)\n${captured.join('\n')}`);
  }
}

beforeAll(async () => {
  stopDockerHost = await useDockerHost();
  console.log(await assembleBaseImages());
  // The webhook receiver listens on the project network's gateway (host.containers.internal
  // inside the containers), known once Compose made the network; its port and the API's host
  // port are chosen first, for Compose to interpolate.
  const receiverPort = await freePort();
  project = new ComposeProject(PROJECT, {
    API_HOST_PORT: String(await freePort()),
    SSRF_ALLOWLIST: `host.containers.internal:${receiverPort}`,
  });
  // `docker-compose config` lists the services of every profile; `up` starts the default one's.
  services = Object.fromEntries(Object.entries(await compose().services()).filter(([, s]) => !s.profiles?.length));

  for (const s of Object.values(services)) {
    if (!s.build) continue;
    if (path.resolve(s.build.context) !== fromRoot()) throw new Error(`${s.image}: build context ${s.build.context}`);
    built.push(await buildImage(s.build.dockerfile, s.image));
  }
  const cuda = cudaStages();
  const last = cuda.buildable.at(-1) as string;
  built.push({
    ...(await buildImage('docker/worker-cuda.Dockerfile', 'localhost/infer-worker-cuda:stages', last)),
    stages: cuda.buildable,
  });
  printImages(built);
  console.log(
    `docker/worker-cuda.Dockerfile, not built here:\n${[...cuda.blocked].map(([stage, why]) => `  stage ${stage}: ${why}`).join('\n')}`,
  );

  stopHealthChecks = await runHealthChecks(PROJECT);
  logs = await captureLogs(PROJECT);
  const started = Date.now();
  const healthy = () => Wait.forHealthCheck();
  try {
    environment = await compose()
      .environment()
      .withWaitStrategy(containerName('redis'), healthy())
      .withWaitStrategy(containerName('worker'), healthy())
      .withWaitStrategy(containerName('webhook-dispatcher'), healthy())
      .withWaitStrategy(
        containerName('api'),
        Wait.forAll([Wait.forListeningPorts(), healthy(), Wait.forHttp('/readyz', 8080).forStatusCode(200)]),
      )
      .withStartupTimeout(180_000)
      .up();
  } catch (error) {
    failed = true;
    throw error;
  }
  apiUrl = `http://127.0.0.1:${container('api').getMappedPort(8080)}`;
  console.log(
    `docker-compose up and the wait strategies (every health check passing, the API listening and ready): ${Date.now() - started} ms`,
  );

  const network = await (await dockerode()).getNetwork(`${PROJECT}_default`).inspect();
  const gateway = network.IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error(`network ${PROJECT}_default: no gateway in ${JSON.stringify(network.IPAM)}`);
  receiver = await WebhookReceiver.start(undefined, receiverPort, gateway);
}, 20 * 60_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  // Everything on a failure (as much as was kept), the last lines otherwise.
  printLogs(failed ? 200 : 8);
  await environment?.down({ removeVolumes: true, timeout: 1000 });
  await stopHealthChecks?.();
  await logs?.stop();
  await receiver?.close();
  project?.removeCopy();
  await stopDockerHost?.();
}, 120_000);

describe('docker/compose.yaml under docker-compose, on podman', () => {
  it('turns every HEALTHCHECK healthy', async () => {
    for (const name of [...SERVICES, 'redis']) {
      const state = await containerState(name);
      expect(state.State.Health?.Status, name).toBe('healthy');
      // Checks run every second while a container starts (lib/health-checks.ts).
      const firstPass = (state.State.Health?.Log ?? []).find((check) => check.ExitCode === 0);
      const ms = firstPass ? Date.parse(firstPass.End) - Date.parse(state.State.StartedAt) : Number.NaN;
      console.log(`${name}: healthy, first passing check ${ms} ms after the container started`);
    }
  });

  it('runs every process as its image user (1000, redis 999), with a read-only root where the file says', async () => {
    for (const name of [...SERVICES, 'redis']) {
      const state = await containerState(name);
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${state.State.Pid}/status`, 'utf8'))?.[1];
      expect(uid, name).toBe(name === 'redis' ? '999' : '1000');
      expect(state.HostConfig.ReadonlyRootfs, name).toBe(service(name).read_only === true);
    }
    for (const name of SERVICES) {
      const app = await container(name).exec(['sh', '-c', 'touch /app/x']);
      expect(app.exitCode, name).not.toBe(0);
      expect(app.output, name).toMatch(/Read-only file system/);
      expect(await container(name).exec(['sh', '-c', 'touch /tmp/x && rm /tmp/x']), name).toMatchObject({
        exitCode: 0,
        output: '',
      });
    }
  });

  it("agrees with the engine's image inspect and with k8s/: ports, probes, users, environment, read-only roots", async () => {
    const objects = build(fromRoot('k8s/overlays/dev'));
    const k8sContainers = objects.flatMap((object) =>
      podSpecs(object).map((podSpec) => ({ podSpec, containers: containersOf(podSpec) })),
    );
    const images = (await getContainerRuntimeClient()).image;
    for (const name of SERVICES) {
      const compose = service(name);
      const spec = imageSpecs.find((s) => `${s.image}:dev` === compose.image.replace(/^localhost\//, ''));
      expect(spec, compose.image).toBeDefined();
      const image = (await images.inspect(ImageName.fromString(compose.image))) as unknown as ImageConfig;
      const exposed = Object.keys(image.Config.ExposedPorts ?? {}).map((p) => Number.parseInt(p, 10));
      expect(exposed, name).toHaveLength(1);
      const port = exposed[0] as number;
      expect(image.Config.User, name).toBe('1000:1000');
      for (const entry of image.Config.Env ?? [])
        expect(isKnownVariable(entry.split('=')[0] as string), entry).toBe(true);
      const imageEnv = new Map(
        (image.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
      );
      expect(
        Number(compose.environment?.[spec?.portSetting as string] ?? imageEnv.get(spec?.portSetting as string)),
        name,
      ).toBe(port);
      expect((await imageHealthcheck(compose.image))?.Test?.join(' '), name).toContain('/healthz');
      expect(image.Config.Cmd, name).toEqual(['node', 'src/main.ts']);
      for (const variable of Object.keys(compose.environment ?? {}))
        expect(isKnownVariable(variable), `${name}: ${variable}`).toBe(true);
      // The container ports published to the host, as the engine runs them.
      const { NetworkSettings } = await containerState(name);
      const published = Object.entries(NetworkSettings.Ports ?? {}).filter(([, bindings]) => bindings?.length);
      for (const [containerPort] of published) expect(Number.parseInt(containerPort, 10), name).toBe(port);

      const k8s = k8sContainers.flatMap(({ podSpec, containers }) =>
        containers
          .filter((c) =>
            String(c.image)
              .split(':')[0]
              ?.endsWith(spec?.image as string),
          )
          .map((c) => ({ podSpec, c })),
      );
      expect(k8s.length, `${name} in k8s/`).toBeGreaterThan(0);
      for (const { podSpec, c } of k8s) {
        const where = `k8s ${String(c.name)}`;
        expect(
          list(c.ports).map((p) => p.containerPort),
          where,
        ).toContain(port);
        const uid = obj(c.securityContext).runAsUser ?? obj(podSpec.securityContext).runAsUser;
        expect(
          `${uid}:${obj(c.securityContext).runAsGroup ?? obj(podSpec.securityContext).runAsGroup ?? uid}`,
          where,
        ).toBe(image.Config.User);
        expect(obj(c.securityContext).readOnlyRootFilesystem === true, where).toBe(compose.read_only === true);
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          const httpGet = obj(obj(c[probe]).httpGet);
          if (!httpGet.path) continue;
          expect(probePaths.has(String(httpGet.path)), `${where} ${probe}`).toBe(true);
          const named = list(c.ports).find((p) => p.name === httpGet.port)?.containerPort;
          expect(typeof httpGet.port === 'number' ? httpGet.port : named, `${where} ${probe} port`).toBe(port);
        }
        for (const env of list(c.env))
          expect(isKnownVariable(String(env.name)), `${where} env ${String(env.name)}`).toBe(true);
      }
    }
    // Redis: the same image tag and user in both files, as the running container shows.
    const redisK8s = k8sContainers.flatMap(({ podSpec, containers }) =>
      containers.filter((c) => String(c.image).startsWith('redis:')).map((c) => ({ podSpec, c })),
    );
    expect(redisK8s.map(({ c }) => c.image)).toEqual([service('redis').image]);
    const redisUid =
      obj(redisK8s[0]?.podSpec.securityContext).runAsUser ?? obj(redisK8s[0]?.c.securityContext).runAsUser;
    expect(await container('redis').exec(['id', '-u'])).toMatchObject({ exitCode: 0, output: `${redisUid}\n` });
  });

  it("answers multipart and JSON submissions with the reference model's labels", async () => {
    const multipart = await submit(leaf, {}, 20);
    expect(multipart.status).toBe(200);
    expect(((await multipart.json()) as JobView).result?.predictions[0]?.label).toBe('healthy');
    const json = await fetch(`${apiUrl}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=20' },
      body: JSON.stringify({ image_base64: rustLeaf.toString('base64') }),
    });
    expect(json.status).toBe(200);
    const view = (await json.json()) as JobView;
    expect(view.result?.predictions[0]).toMatchObject({ label: 'rust' });
    expect(view.result?.predictions[0]?.score).toBeGreaterThan(0.5);
  });

  it('delivers a signed webhook to a receiver on the host', async () => {
    if (!receiver) throw new Error('no webhook receiver');
    const before = receiver.requests.length;
    const url = `http://host.containers.internal:${receiver.port}/hook`;
    const response = await submit(leaf, { webhook_url: url, webhook_events: 'job.succeeded' });
    expect(response.status, await response.clone().text()).toBe(202);
    const { id } = (await response.json()) as JobAccepted;
    const [request] = (await receiver.waitForRequests(before + 1, 60_000)).slice(before);
    const secret = String(service('webhook-dispatcher').environment?.WEBHOOK_SECRET);
    const payload = new Webhook(secret).verify(request?.body ?? '', request?.headers as Record<string, string>) as {
      type: string;
      data: JobView;
    };
    expect(payload).toMatchObject({ type: 'job.succeeded', data: { id, status: 'succeeded' } });
  });

  it('finishes every accepted job after the worker container is killed mid-run and restarted', async () => {
    const restartsBefore = (await containerState('worker')).RestartCount;
    const ids: string[] = [];
    let killed = false;
    let acceptedBeforeKill = 0;
    // Submissions go on while the worker dies and comes back: jobs are running, queued and arriving.
    const total = 160;
    let next = 0;
    const submitter = async () => {
      while (next < total) {
        next++;
        const response = await submit(leaf);
        if (response.status === 202) ids.push(((await response.json()) as JobAccepted).id);
        if (ids.length >= 40 && !killed) {
          killed = true;
          acceptedBeforeKill = ids.length;
          // SIGKILL to the container's process from outside, as an OOM kill or a crash would
          // end it: podman restarts it (restart: unless-stopped). `podman kill` would count as
          // stopped by the user and leave it down.
          process.kill((await containerState('worker')).State.Pid, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, submitter));
    expect(killed).toBe(true);
    const unfinishedAtKill = (await Promise.all(ids.slice(0, acceptedBeforeKill).map(job))).filter(
      (v) => v.status !== 'succeeded',
    );
    console.log(`worker killed with ${acceptedBeforeKill} jobs accepted; ${ids.length} accepted in all`);
    await until('the worker restarted by its restart policy', async () => {
      const state = await containerState('worker');
      return state.RestartCount > restartsBefore && state.State.Running ? true : undefined;
    });
    const views = await allSucceeded(ids, 150_000);
    expect(views.map((v) => v.result?.predictions[0]?.label)).toEqual(ids.map(() => 'healthy'));
    expect(ids.length).toBe(total);
    console.log(`${unfinishedAtKill.length} of the jobs accepted before the kill were still unfinished just after it`);
  }, 240_000);

  it('stops the worker and the API inside their grace periods, draining, with exit code 0', async () => {
    await until('the worker healthy again', async () =>
      (await containerState('worker')).State.Health?.Status === 'healthy' ? true : undefined,
    );
    // Jobs in flight when the stop comes: the worker finishes or hands back what it holds.
    const ids = await Promise.all(
      Array.from({ length: 40 }, async () => ((await (await submit(leaf)).json()) as JobAccepted).id),
    );
    for (const name of ['worker', 'api'] as const) {
      const grace = seconds(service(name).stop_grace_period, 10);
      const started = Date.now();
      // Compose's own stop: SIGTERM, then SIGKILL after the service's stop_grace_period.
      await compose().run(['stop', name], (grace + 15) * 1000);
      const took = (Date.now() - started) / 1000;
      const state = await containerState(name);
      expect(state.State.ExitCode, `${name} exit code`).toBe(0);
      expect(took, `${name} stop took ${took} s`).toBeLessThan(grace);
      const output = await logsOf(name);
      expect(output).toContain('"msg":"shutting down"');
      expect(output).not.toContain('shutdown deadline passed');
      console.log(`${name}: stopped in ${took.toFixed(1)} s (grace ${grace} s), exit 0`);
    }
    await compose().run(['start', 'api', 'worker']);
    await until('API ready again', async () => ((await fetch(`${apiUrl}/readyz`)).ok ? true : undefined), 120_000);
    await allSucceeded(ids, 120_000);
  }, 240_000);
});
