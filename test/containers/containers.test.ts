/**
 * `pnpm test:containers`: the real images, built from the unchanged Dockerfiles with podman on
 * base images assembled offline (base-images.sh), and docker/compose.yaml run as the file says
 * (lib/compose.ts), checked from outside through its published ports: answers of the reference
 * model, a signed webhook to a receiver on the host, a worker killed mid-run, a draining stop,
 * health checks, users, read-only roots, and agreement of `podman image inspect` with k8s/.
 */
import { readFileSync } from 'node:fs';
import type { JobAccepted, JobView } from '@infer/contracts';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { parseDockerfile } from '../deploy/lib/dockerfile.ts';
import { imageSpecs } from '../deploy/lib/images.ts';
import { build, containersOf, isObject, podSpecs } from '../deploy/lib/kustomize.ts';
import { fromRoot, isKnownVariable, probePaths } from '../deploy/lib/repo.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { ComposeProject, seconds } from './lib/compose.ts';
import { assembleBaseImages, type BuiltImage, buildComposeImages, buildImage, printImages } from './lib/images.ts';
import { inspect, podman } from './lib/podman.ts';

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
  Healthcheck?: { Test?: string[] };
}
interface ContainerState {
  State: { Pid: number; Running: boolean; ExitCode: number; Status: string; Health?: { Status: string } };
  RestartCount: number;
  HostConfig: { ReadonlyRootfs: boolean };
  ImageName: string;
}

let project: ComposeProject;
let receiver: WebhookReceiver;
let apiUrl: string;
let gateway: string;
const built: BuiltImage[] = [];
const startup: Record<string, number> = {};

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const containerState = (service: string) => inspect<ContainerState>('container', project.container(service));

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

beforeAll(async () => {
  console.log(await assembleBaseImages());
  // The network first: the webhook receiver listens on its gateway (host.containers.internal
  // inside the containers), and SSRF_ALLOWLIST must name that address and port.
  await podman(['network', 'create', `${PROJECT}_default`]);
  const [network] = JSON.parse(await podman(['network', 'inspect', `${PROJECT}_default`])) as {
    subnets: { gateway: string }[];
  }[];
  gateway = network?.subnets[0]?.gateway as string;
  const receiverPort = await freePort();
  project = new ComposeProject(fromRoot('docker/compose.yaml'), PROJECT, {
    SSRF_ALLOWLIST: `${gateway}:${receiverPort}`,
  });

  built.push(...(await buildComposeImages(project)));
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

  const started = Date.now();
  // The bridge (and its gateway address) exists once the first container is on it.
  await project.up({
    beforeStart: async (service) => {
      if (service === 'api') receiver = await WebhookReceiver.start(undefined, receiverPort, gateway);
    },
  });
  apiUrl = `http://127.0.0.1:${project.published.get('api')?.get(8080)}`;
  await until('API /healthz', async () => ((await fetch(`${apiUrl}/healthz`)).ok ? true : undefined));
  startup.api = Date.now() - started;
  await until(
    'API /readyz (a worker is ready)',
    async () => ((await fetch(`${apiUrl}/readyz`)).ok ? true : undefined),
    120_000,
  );
  startup.ready = Date.now() - started;
  console.log(
    `compose up: API answering ${startup.api} ms, ready (worker warm) ${startup.ready} ms after the first container start`,
  );
}, 20 * 60_000);

afterAll(async () => {
  if (project) {
    for (const service of project.services()) {
      const logs = await project.logs(service);
      if (logs) console.log(`--- ${service} (last lines)\n${logs.split('\n').slice(-8).join('\n')}`);
    }
    await project.down();
  }
  await podman(['network', 'rm', '--force', `${PROJECT}_default`]).catch(() => undefined);
  await receiver?.close();
}, 120_000);

describe('docker/compose.yaml under podman', () => {
  it('turns every HEALTHCHECK healthy', async () => {
    for (const service of [...SERVICES, 'redis']) {
      const ms = await project.waitHealthy(service, 60_000);
      const state = await containerState(service);
      expect(state.State.Health?.Status, service).toBe('healthy');
      console.log(`${service}: healthy after ${ms} ms more`);
    }
  });

  it('runs every process as its image user (1000, redis 999), with a read-only root where the file says', async () => {
    for (const service of [...SERVICES, 'redis']) {
      const state = await containerState(service);
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${state.State.Pid}/status`, 'utf8'))?.[1];
      expect(uid, service).toBe(service === 'redis' ? '999' : '1000');
      expect(state.HostConfig.ReadonlyRootfs, service).toBe(project.service(service).read_only === true);
    }
    for (const service of SERVICES) {
      const container = project.container(service);
      await expect(podman(['exec', container, 'sh', '-c', 'touch /app/x'])).rejects.toThrow(/Read-only file system/);
      await expect(podman(['exec', container, 'sh', '-c', 'touch /tmp/x && rm /tmp/x'])).resolves.toBe('');
    }
  });

  it('agrees with podman image inspect and with k8s/: ports, probes, users, environment, read-only roots', async () => {
    const objects = build(fromRoot('k8s/overlays/dev'));
    const k8sContainers = objects.flatMap((object) =>
      podSpecs(object).map((podSpec) => ({ podSpec, containers: containersOf(podSpec) })),
    );
    for (const service of SERVICES) {
      const compose = project.service(service);
      const spec = imageSpecs.find((s) => `${s.image}:dev` === compose.image.replace(/^localhost\//, ''));
      expect(spec, compose.image).toBeDefined();
      const image = await inspect<ImageConfig>('image', compose.image);
      const exposed = Object.keys(image.Config.ExposedPorts ?? {}).map((p) => Number.parseInt(p, 10));
      expect(exposed, service).toHaveLength(1);
      const port = exposed[0] as number;
      expect(image.Config.User, service).toBe('1000:1000');
      for (const entry of image.Config.Env ?? [])
        expect(isKnownVariable(entry.split('=')[0] as string), entry).toBe(true);
      const imageEnv = new Map(
        (image.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
      );
      expect(
        Number(compose.environment?.[spec?.portSetting as string] ?? imageEnv.get(spec?.portSetting as string)),
        service,
      ).toBe(port);
      expect(image.Healthcheck?.Test?.join(' '), service).toContain('/healthz');
      expect(image.Config.Cmd, service).toEqual(['node', 'src/main.ts']);
      for (const name of Object.keys(compose.environment ?? {}))
        expect(isKnownVariable(name), `${service}: ${name}`).toBe(true);
      for (const published of project.published.get(service)?.keys() ?? []) expect(published, service).toBe(port);

      const k8s = k8sContainers.flatMap(({ podSpec, containers }) =>
        containers
          .filter((c) =>
            String(c.image)
              .split(':')[0]
              ?.endsWith(spec?.image as string),
          )
          .map((c) => ({ podSpec, c })),
      );
      expect(k8s.length, `${service} in k8s/`).toBeGreaterThan(0);
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
    expect(redisK8s.map(({ c }) => c.image)).toEqual([project.service('redis').image]);
    const redisUid =
      obj(redisK8s[0]?.podSpec.securityContext).runAsUser ?? obj(redisK8s[0]?.c.securityContext).runAsUser;
    expect(await podman(['exec', project.container('redis'), 'id', '-u'])).toBe(String(redisUid));
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
    const before = receiver.requests.length;
    const url = `http://host.containers.internal:${receiver.port}/hook`;
    const response = await submit(leaf, { webhook_url: url, webhook_events: 'job.succeeded' });
    expect(response.status, await response.clone().text()).toBe(202);
    const { id } = (await response.json()) as JobAccepted;
    const [request] = (await receiver.waitForRequests(before + 1, 60_000)).slice(before);
    const secret = String(project.service('webhook-dispatcher').environment?.WEBHOOK_SECRET);
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
    await project.waitHealthy('worker', 60_000);
    // Jobs in flight when the stop comes: the worker finishes or hands back what it holds.
    const ids = await Promise.all(
      Array.from({ length: 40 }, async () => ((await (await submit(leaf)).json()) as JobAccepted).id),
    );
    for (const service of ['worker', 'api'] as const) {
      const grace = seconds(project.service(service).stop_grace_period, 10);
      const started = Date.now();
      await podman(['stop', project.container(service)], { timeoutMs: (grace + 15) * 1000 });
      const took = (Date.now() - started) / 1000;
      const state = await containerState(service);
      expect(state.State.ExitCode, `${service} exit code`).toBe(0);
      expect(took, `${service} stop took ${took} s`).toBeLessThan(grace);
      const logs = await project.logs(service);
      expect(logs).toContain('"msg":"shutting down"');
      expect(logs).not.toContain('shutdown deadline passed');
      console.log(`${service}: stopped in ${took.toFixed(1)} s (grace ${grace} s), exit 0`);
    }
    await podman(['start', project.container('api'), project.container('worker')]);
    await until('API ready again', async () => ((await fetch(`${apiUrl}/readyz`)).ok ? true : undefined), 120_000);
    await allSucceeded(ids, 120_000);
  }, 240_000);
});
