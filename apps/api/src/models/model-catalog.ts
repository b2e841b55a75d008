import type { ModelConfig } from '@infer/contracts';
import { loadModelRepository } from '@infer/model-repository';

export interface CatalogEntry {
  name: string;
  versions: string[];
  config: ModelConfig;
}

/**
 * The models clients may ask for, read from the same repository the workers
 * serve (model.json files only; the API never loads a model). Known at start-up,
 * so jobs for a model whose workers are scaled to zero are still accepted.
 */
export class ModelCatalog {
  private readonly entries: Map<string, CatalogEntry>;

  private constructor(entries: Map<string, CatalogEntry>) {
    this.entries = entries;
  }

  static fromRepository(root: string): ModelCatalog {
    const models = loadModelRepository(root);
    return new ModelCatalog(
      new Map([...models].map(([name, entry]) => [name, { name, versions: entry.versions, config: entry.config }])),
    );
  }

  has(name: string, version?: string): boolean {
    const entry = this.entries.get(name);
    return entry !== undefined && (version === undefined || entry.versions.includes(version));
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  list(): CatalogEntry[] {
    return [...this.entries.values()];
  }
}
