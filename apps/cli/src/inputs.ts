import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { imageType, SNIFF_BYTES } from '@infer/client';
import { glob, isDynamicPattern } from 'tinyglobby';
import { CliError } from './cli-error.ts';

/** One file to score; `unreadable` when it could not even be opened (it still gets its record). */
export interface Input {
  path: string;
  unreadable?: string;
  notAnImage?: boolean;
}

export interface Expanded {
  inputs: Input[];
  /** Files met while walking folders or globs that are not JPEG, PNG or WebP by their bytes (left out). */
  skippedNotImages: number;
}

type Sniffed = { kind: 'image' } | { kind: 'other' } | { kind: 'unreadable'; reason: string };

async function sniff(file: string): Promise<Sniffed> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return imageType(head.subarray(0, bytesRead)) ? { kind: 'image' } : { kind: 'other' };
  } catch (error) {
    return { kind: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? String(error) };
  } finally {
    await handle?.close();
  }
}

/** Every file under a folder, recursively (symbolic links are followed to files, never into folders). */
async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    // parentPath from Node 20.12; `path` before it (engines allow 20.11).
    const parent = (entry as { parentPath?: string }).parentPath ?? (entry as unknown as { path: string }).path;
    const full = path.join(parent, entry.name);
    if (entry.isFile()) files.push(full);
    else if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      if (!target?.isDirectory()) files.push(full);
    }
  }
  return files;
}

async function inBatches<T, R>(items: T[], size: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(map))));
  return out;
}

/**
 * The images named by files, folders (walked recursively) and globs, told by their first bytes, sorted
 * and without repeats. A file named on its own that is not an image is kept (it gets a failed record); files
 * found by walking or globbing that are not images are only counted.
 */
export async function expandInputs(args: string[]): Promise<Expanded> {
  const named = new Set<string>();
  const found = new Set<string>();
  for (const arg of args) {
    const stats = await stat(arg).catch(() => undefined);
    if (stats?.isDirectory()) for (const file of await walk(arg)) found.add(path.normalize(file));
    else if (stats) named.add(path.normalize(arg));
    else if (isDynamicPattern(arg)) {
      for (const file of await glob(arg, { onlyFiles: true, dot: false, expandDirectories: false })) {
        found.add(path.normalize(file));
      }
    } else throw new CliError(`no such file, folder or glob match: ${arg}`);
  }
  const candidates = [...new Set([...named, ...found])].sort();
  const sniffed = await inBatches(candidates, 64, sniff);
  const inputs: Input[] = [];
  let skippedNotImages = 0;
  candidates.forEach((file, i) => {
    const result = sniffed[i] as Sniffed;
    if (result.kind === 'image') inputs.push({ path: file });
    else if (result.kind === 'unreadable') inputs.push({ path: file, unreadable: result.reason });
    else if (named.has(file)) inputs.push({ path: file, notAnImage: true });
    else skippedNotImages++;
  });
  if (inputs.length === 0) {
    const also = skippedNotImages > 0 ? ` (${skippedNotImages} other files left out)` : '';
    throw new CliError(`no JPEG, PNG or WebP images in ${args.join(' ')}${also}`);
  }
  return { inputs, skippedNotImages };
}
