import { execAll, type KindCount, type MigrationContext, scanOld } from './context.ts';

/** Where one old key goes: its kind (for the summary) and its new name. */
interface Target {
  kind: string;
  key: string;
}

/** Keys moved one by one: a SCAN pattern and the new name of each key it finds (undefined: a name of no known shape). */
interface RenameSpec {
  pattern: string;
  kinds: readonly string[];
  target(key: string): Target | undefined;
}

/**
 * Keys that only change name. RENAMENX moves a key with its value and TTL in one step on the one
 * server, so a crash leaves each key either old or new, and a second run finds only the old
 * ones left. NX: a key of the new name that exists already (nothing of ours writes one before
 * the new release starts) is never overwritten; the old key stays and is reported.
 */
export function renameSpecs(ctx: MigrationContext): RenameSpec[] {
  const { old, keys } = ctx;
  return [
    {
      pattern: old.jobs,
      kinds: ['job records', 'job payloads'],
      target: (key) => {
        // `<id>` or `<id>:image`; job ids (UUIDv7) hold no ':'.
        const [id, suffix, ...more] = (old.jobKeyOf(key) ?? '').split(':');
        if (!id || more.length > 0) return undefined;
        if (suffix === undefined) return { kind: 'job records', key: keys.job(id) };
        return suffix === 'image' ? { kind: 'job payloads', key: keys.image(id) } : undefined;
      },
    },
    {
      pattern: old.idempotency,
      kinds: ['Idempotency-Key records'],
      target: (key) => {
        // `<scope>:<hash>`: the scope is '-' or a digest; the hash (hex) names the new shard.
        const rest = old.idempotencyOf(key) ?? '';
        const split = rest.lastIndexOf(':');
        if (split <= 0) return undefined;
        const kind = 'Idempotency-Key records';
        return { kind, key: keys.idempotency(rest.slice(0, split), rest.slice(split + 1)) };
      },
    },
    {
      pattern: old.files,
      kinds: ['files', 'file contents'],
      target: (key) => {
        const [id, suffix, ...more] = (old.fileOf(key) ?? '').split(':');
        if (!id || more.length > 0) return undefined;
        if (suffix === undefined) return { kind: 'files', key: keys.file(id) };
        return suffix === 'content' ? { kind: 'file contents', key: keys.fileContent(id) } : undefined;
      },
    },
    {
      pattern: old.modelRouting,
      kinds: ['model routing policies'],
      target: (key) => {
        const model = old.routedModelOf(key);
        return model ? { kind: 'model routing policies', key: keys.modelRouting(model) } : undefined;
      },
    },
    {
      pattern: old.shadow,
      kinds: ['shadow statistics'],
      target: (key) => {
        // Model names and versions hold no ':' (MODEL_NAME_PATTERN, numeric versions).
        const parts = (old.shadowOf(key) ?? '').split(':');
        const kind = 'shadow statistics';
        const [model, candidate, last] = parts;
        if (!model || !candidate) return undefined;
        if (parts.length === 2 && candidate === 'candidates') return { kind, key: keys.shadowCandidates(model) };
        if (parts.length !== 3 || !last) return undefined;
        if (last === 'latency') return { kind, key: keys.shadowLatency(model, candidate) };
        return /^\d+$/.test(last) ? { kind, key: keys.shadowBucket(model, candidate, Number(last)) } : undefined;
      },
    },
  ];
}

const NO_SUCH_KEY = (error: Error) => /no such key/i.test(error.message);

/** Rename every old key of one spec; counts per kind, and the keys left where they were. */
export async function renameAll(ctx: MigrationContext, spec: RenameSpec): Promise<KindCount[]> {
  const moved = new Map(spec.kinds.map((kind) => [kind, 0]));
  const kept = new Map(spec.kinds.map((kind) => [kind, 0]));
  for await (const page of scanOld(ctx.redis, spec.pattern)) {
    const targets = page.flatMap((key) => {
      const target = spec.target(key);
      return target ? [{ from: key, ...target }] : [];
    });
    if (targets.length === 0) continue;
    if (ctx.dryRun) {
      for (const { kind } of targets) moved.set(kind, (moved.get(kind) ?? 0) + 1);
      continue;
    }
    const pipeline = ctx.redis.pipeline();
    for (const { from, key } of targets) pipeline.renamenx(from, key);
    // "no such key": SCAN returned a key twice and it was moved the first time.
    const replies = await execAll(pipeline, NO_SUCH_KEY);
    for (const [i, { kind }] of targets.entries()) {
      if (replies[i] === 1) moved.set(kind, (moved.get(kind) ?? 0) + 1);
      else if (replies[i] === 0) kept.set(kind, (kept.get(kind) ?? 0) + 1);
    }
  }
  return spec.kinds.map((kind) => {
    const left = kept.get(kind) ?? 0;
    return {
      kind,
      count: moved.get(kind) ?? 0,
      note: left > 0 ? `${left} left under the old name: a key of the new name exists` : undefined,
    };
  });
}
