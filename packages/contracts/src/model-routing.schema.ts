import { z } from 'zod';

const versionSchema = z.string().regex(/^\d+$/, 'a version is a folder name of digits').max(32);
const shareSchema = (what: string) =>
  z.object({
    version: versionSchema,
    /** Share of unpinned jobs (canary) or of primary jobs (shadow), 0..100. */
    percent: z.number().min(0).max(100).describe(`percent of jobs ${what}`),
  });

/**
 * How one model's unpinned jobs choose their version (`PUT /v1/models/{name}/routing`):
 * the default version, an optional canary answering a share of them, and an optional
 * shadow that also runs a share of them without answering. Stored in Redis: every API
 * replica routes by the same policy from the next submission on.
 */
export const modelRoutingSchema = z
  .object({
    default_version: versionSchema,
    canary: shareSchema('answered by the canary').strict().nullable().default(null),
    shadow: shareSchema('also run on the shadow').strict().nullable().default(null),
  })
  .strict();
export type ModelRouting = z.infer<typeof modelRoutingSchema>;

/** Where a job's version came from: the client named it, the default, or the canary's share. */
export const ROUTES = ['pinned', 'default', 'canary', 'newest'] as const;

/** Shadow comparison of one candidate against the versions that answered, over a window. */
export const shadowStatsSchema = z.object({
  candidate: z.string(),
  window_seconds: z.number().int().positive(),
  /** Jobs whose primary and shadow answers were both computed and compared. */
  compared: z.number().int().nonnegative(),
  /** Share of compared jobs whose top-1 label was the same (0..1); null before any. */
  top1_agreement: z.number().min(0).max(1).nullable(),
  /** Mean over compared jobs of the mean |score difference| over labels; null before any. */
  mean_abs_score_diff: z.number().nonnegative().nullable(),
  /** Inference time of the batch each answer ran in (ms), primary and candidate, over the latest samples. */
  latency_ms: z.object({
    primary: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
    candidate: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
  }),
  /** Shadowed jobs that failed on the primary, and shadow runs that failed on the candidate. */
  errors: z.object({ primary: z.number().int().nonnegative(), candidate: z.number().int().nonnegative() }),
  /** Shadow runs dropped because the worker was saturated (never queued). */
  dropped: z.number().int().nonnegative(),
});
export type ShadowStats = z.infer<typeof shadowStatsSchema>;

/** `GET /v1/models/{name}/routing`: the policy in force (null: none, the newest version serves) and shadow stats. */
export const modelRoutingViewSchema = z.object({
  model: z.string(),
  routing: modelRoutingSchema.nullable(),
  /** What an unpinned job runs when no canary takes it. */
  default_version: z.string().nullable(),
  shadow_stats: z.array(shadowStatsSchema),
});
export type ModelRoutingView = z.infer<typeof modelRoutingViewSchema>;
