import path from 'node:path';
import type { ModelConfig } from '@infer/contracts';
import { isVersionReady, loadModelRepository, readModel } from '@infer/model-repository';

/** A version asked for but unknown reads the repository again at most this often. */
const MISS_REFRESH_MS = 500;

export interface CatalogEntry {
  name: string;
  versions: string[];
  config: ModelConfig;
}

/**
 * The models clients may ask for, read from the same repository the workers
 * serve (model.json files only; the API never loads a model). Known at start-up,
 * so jobs for a model whose workers are scaled to zero are still accepted; its
 * versions follow the repository as the workers' do (refresh(): a new version once
 * its READY marker is written, a removed one once its folder is gone).
 */
export class ModelCatalog {
  private readonly entries: Map<string, CatalogEntry>;
  private readonly root: string | undefined;
  private refreshedAt = 0;

  private constructor(entries: Map<string, CatalogEntry>, root?: string) {
    this.entries = entries;
    this.root = root;
  }

  static fromRepository(root: string): ModelCatalog {
    const models = loadModelRepository(root);
    return new ModelCatalog(
      new Map([...models].map(([name, entry]) => [name, { name, versions: entry.versions, config: entry.config }])),
      root,
    );
  }

  /** Read the versions of every model again; a model whose folder does not read keeps what it had. */
  refresh(): void {
    if (!this.root) return;
    this.refreshedAt = Date.now();
    for (const entry of this.entries.values()) {
      try {
        const present = readModel(path.join(this.root, entry.name));
        entry.versions = present.versions.filter(
          (version) => entry.versions.includes(version) || isVersionReady(present, version),
        );
      } catch {
        // Being rewritten, or every version gone: the workers keep theirs too (RepositoryWatcher).
      }
    }
  }

  /**
   * Whether the model (and version) can be asked for. A version not known yet is looked up
   * in the repository again (at most every MISS_REFRESH_MS): a job may name a version the
   * workers took since the last poll.
   */
  has(name: string, version?: string): boolean {
    const entry = this.entries.get(name);
    if (entry === undefined) return false;
    if (version === undefined || entry.versions.includes(version)) return true;
    if (Date.now() - this.refreshedAt < MISS_REFRESH_MS) return false;
    this.refresh();
    return entry.versions.includes(version);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  list(): CatalogEntry[] {
    return [...this.entries.values()];
  }
}
