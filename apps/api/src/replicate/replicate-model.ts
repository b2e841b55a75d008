import { REPLICATE_OWNER, type ReplicateModel, versionIdOf } from '@infer/contracts';
import type { Request } from 'express';
import type { CatalogEntry } from '../models/model-catalog.ts';

/** Scheme, host and port this client used: the base of the absolute URLs it is answered. */
export const baseUrlOf = (req: Request): string => `${req.protocol}://${req.get('host')}`;

/** What a job without `version` runs: the newest (versions are listed oldest first). */
export const defaultVersion = (entry: CatalogEntry): string => entry.versions[entry.versions.length - 1] as string;

/**
 * A catalog model as Replicate's model object (`GET /v1/models/{owner}/{name}` and each of
 * `GET /v1/models`' `results`). Fields Replicate has and we hold no value for are null;
 * `run_count` is left out: no store counts the jobs of a model over its lifetime.
 */
export function replicateModelOf(entry: CatalogEntry, baseUrl: string): ReplicateModel {
  const latest = defaultVersion(entry);
  return {
    url: `${baseUrl}/v1/models/${REPLICATE_OWNER}/${entry.name}`,
    owner: REPLICATE_OWNER,
    name: entry.name,
    description: entry.config.description ?? null,
    visibility: 'public',
    github_url: null,
    paper_url: null,
    license_url: null,
    cover_image_url: null,
    default_example: null,
    latest_version: { id: versionIdOf(entry.name, latest), created_at: null, cog_version: null, openapi_schema: null },
    versions: entry.versions.map((version) => ({ id: versionIdOf(entry.name, version), name: version })),
  };
}
