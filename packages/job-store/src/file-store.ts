import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '@infer/redis';
import { type DurableWrites, durableConnection } from './durable-writes.ts';
import type { RedisKeys } from './keys.ts';
import { transaction } from './scripts/scripts.ts';

/** A file uploaded with `POST /v1/files` (Replicate's file API), to be named as a prediction input. */
export interface StoredFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
  checksums: { sha256: string };
  metadata: Record<string, unknown>;
  created_at: string;
  expires_at: string;
  owner?: string | undefined;
}

/**
 * Uploaded files: the bytes as one binary value, the description as JSON beside
 * it, both expiring after `ttlSeconds`. Only the uploader reads them while auth is on.
 */
export class FileStore {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;
  private readonly durable: DurableWrites | undefined;

  /** `durable`: uploads run on its connection and are answered once its replicas confirm them (durable-writes.ts). */
  constructor(redis: RedisClient, keys: RedisKeys, ttlSeconds: number, durable?: DurableWrites) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = ttlSeconds;
    this.durable = durable && durable.replicas > 0 ? durable : undefined;
  }

  async create(
    file: { name: string; contentType: string; bytes: Buffer; metadata: Record<string, unknown> },
    owner: string | undefined,
  ): Promise<StoredFile> {
    const now = Date.now();
    const stored: StoredFile = {
      id: randomBytes(15)
        .toString('base64url')
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x'),
      name: file.name,
      content_type: file.contentType,
      size: file.bytes.length,
      checksums: { sha256: createHash('sha256').update(file.bytes).digest('hex') },
      metadata: file.metadata,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + this.ttlSeconds * 1000).toISOString(),
      ...(owner ? { owner } : {}),
    };
    await transaction(
      this.durable ? durableConnection(this.durable) : this.redis,
      this.keys.file(stored.id),
      (tx) => {
        tx.command('set', this.keys.fileContent(stored.id), file.bytes, 'EX', String(this.ttlSeconds));
        tx.command('set', this.keys.file(stored.id), JSON.stringify(stored), 'EX', String(this.ttlSeconds));
      },
      this.durable,
    );
    return stored;
  }

  /** The file's description; null when absent, expired or another principal's. */
  async get(id: string, owner: string | undefined): Promise<StoredFile | null> {
    if (!/^[a-z0-9]{1,64}$/.test(id)) return null;
    const raw = await this.redis.get(this.keys.file(id));
    if (!raw) return null;
    const file = JSON.parse(raw) as StoredFile;
    return owner !== undefined && file.owner !== owner ? null : file;
  }

  async content(id: string, owner: string | undefined): Promise<{ file: StoredFile; bytes: Buffer } | null> {
    const file = await this.get(id, owner);
    if (!file) return null;
    const bytes = await this.redis.getBuffer(this.keys.fileContent(id));
    return bytes ? { file, bytes } : null;
  }

  async remove(id: string, owner: string | undefined): Promise<boolean> {
    if (!(await this.get(id, owner))) return false;
    await this.redis.del(this.keys.file(id), this.keys.fileContent(id));
    return true;
  }
}
