import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../test/support/processes.ts';
import { mainThreadProfile, type ProfileSummary, summarizeProfile } from '../lib/profile.ts';
import { type BenchModel, startOurs } from '../lib/systems.ts';
import { MODELS, MODELS_DIR } from '../options.ts';

/**
 * Where the main threads of `names` (api, worker) spend their busy time under `load`:
 * ours started again under `node --cpu-prof`, the samples of the measured window only
 * (start-up and module loading excluded), per job of that window.
 */
export async function profiled(
  options: { workers?: number },
  names: string[],
  load: (system: Awaited<ReturnType<typeof startOurs>>) => Promise<{ fromUs: number; toUs: number; jobs: number }>,
): Promise<Record<string, ProfileSummary>> {
  const profileDir = path.join(ROOT, '.bench', 'profiles');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const system = await startOurs(MODELS_DIR, MODELS[0] as BenchModel, {
    ...options,
    env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` },
  });
  let window: { fromUs: number; toUs: number; jobs: number };
  try {
    window = await load(system);
  } finally {
    await system.close();
  }
  const profiles: Record<string, ProfileSummary> = {};
  for (const name of names) {
    const file = mainThreadProfile(profileDir, system.pids[name] as number);
    if (file) profiles[name] = summarizeProfile(file, window);
  }
  return profiles;
}
