import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { JobView, ModelRouting, ModelRoutingView } from '@infer/contracts';
import type { TestSystem } from '../../support/system.ts';
import { generateModel, type ReferenceVariant } from '../fixtures/fixture-models.ts';
import { eventually, submit, waitDone } from './worker-harness.ts';

/** What GET /v1/models says of one model's versions. */
export interface VersionsView {
  versions: string[];
  live_versions: string[];
  loading_versions: string[];
  failed_versions: Record<string, string>;
  default_version: string;
}

export async function modelView(system: TestSystem, model = 'plant-pathology'): Promise<VersionsView> {
  return (await (await fetch(`${system.apiUrl}/v1/models/${model}`)).json()) as VersionsView;
}

export async function putRouting(system: TestSystem, routing: Partial<ModelRouting>, model = 'plant-pathology') {
  const response = await fetch(`${system.apiUrl}/v1/models/${model}/routing`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(routing),
  });
  if (response.status !== 200) throw new Error(`PUT routing answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ModelRoutingView;
}

export async function getRouting(system: TestSystem, model = 'plant-pathology'): Promise<ModelRoutingView> {
  return (await (await fetch(`${system.apiUrl}/v1/models/${model}/routing`)).json()) as ModelRoutingView;
}

export async function requestReload(system: TestSystem): Promise<void> {
  const response = await fetch(`${system.apiUrl}/v1/models:reload`, { method: 'POST' });
  if (response.status !== 202) throw new Error(`reload answered ${response.status}`);
}

export const waitLive = (system: TestSystem, version: string, live: boolean, timeoutMs = 30_000, model?: string) =>
  eventually(
    async () => (await modelView(system, model)).live_versions.includes(version) === live,
    `version ${version} ${live ? 'served' : 'gone'}`,
    timeoutMs,
  );

/**
 * Install a reference variant as `<repository>/plant-pathology/<version>` the way the docs
 * say: generated in a staging folder on the same filesystem, READY written last, then the
 * folder renamed into place in one step. model.json is left as it was.
 */
export function installVersion(repository: string, version: string, variant: Partial<ReferenceVariant> = {}): void {
  const staging = mkdtempSync(path.join(repository, '.staging-'));
  try {
    generateModel(staging, { kind: 'reference', name: 'plant-pathology', version, ...variant });
    renameSync(path.join(staging, 'plant-pathology', version), path.join(repository, 'plant-pathology', version));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Continuous load: jobs submitted one after another by a few clients until stop(); stop()
 * answers every job, waited to its end.
 */
export class ContinuousLoad {
  private stopped = false;
  private readonly ids: string[] = [];
  private readonly loops: Promise<void>[];
  private readonly system: TestSystem;

  constructor(system: TestSystem, image: Uint8Array, fields: () => Record<string, string>, clients = 2) {
    this.system = system;
    this.loops = Array.from({ length: clients }, async () => {
      try {
        while (!this.stopped) {
          this.ids.push(await submit(system, image, fields()));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } catch (error) {
        // A refused submission ends the load; stop() reports it.
        this.stopped = true;
        throw error;
      }
    });
  }

  get submitted(): number {
    return this.ids.length;
  }

  async stop(): Promise<JobView[]> {
    this.stopped = true;
    await Promise.all(this.loops);
    return Promise.all(this.ids.map((id) => waitDone(this.system, id, 120_000)));
  }
}
