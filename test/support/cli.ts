import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { ROOT } from './processes.ts';

export const CLI_ENTRY = path.join(ROOT, 'apps', 'cli', 'src', 'main.ts');
/** tsx's loader by its file URL, so the CLI runs from any working directory (a bare `tsx` resolves from the cwd). */
export const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The command line that runs `infer <args>`. */
export const cliCommand = (args: string[]): string[] => [process.execPath, '--import', TSX_LOADER, CLI_ENTRY, ...args];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `infer <args>` as a real process (node --import tsx, as `pnpm infer` runs it), its output kept. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): { child: ChildProcess; done: Promise<CliRun> } {
  const [node, ...rest] = cliCommand(args) as [string, ...string[]];
  const child = spawn(node, rest, {
    cwd,
    env: { ...process.env, INFER_API_URL: '', INFER_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export const runCli = (args: string[], env?: Record<string, string>, cwd?: string): Promise<CliRun> =>
  spawnCli(args, env, cwd).done;

/** A small image whose pixels (so bytes and sha256) are unique to `index`. */
export function uniqueImage(index: number, format: 'png' | 'jpeg' | 'webp', size = 16): Promise<Buffer> {
  // The index in base 200, one digit per channel: distinct colours for 8 million indexes.
  const digit = (place: number) => 20 + (Math.floor(index / 200 ** place) % 200);
  const background = { r: digit(0), g: digit(1), b: digit(2) };
  const image = sharp({ create: { width: size, height: size, channels: 3, background } });
  if (format === 'jpeg') return image.jpeg({ quality: 90 }).toBuffer();
  if (format === 'webp') return image.webp({ lossless: true }).toBuffer();
  return image.png().toBuffer();
}

export interface ImageFolder {
  /** Every input the CLI should record (images, corrupt images and the unreadable entry), relative to the folder's parent. */
  inputs: string[];
  corrupt: string[];
  notImages: string[];
  unreadable: string[];
}

/**
 * A folder tree of `images` unique tiny images (PNG, JPEG and WebP, some with misleading or no extensions),
 * `corrupt` truncated images (right magic bytes, undecodable), `notImages` other files (one named .jpg), and
 * one unreadable entry (a dangling symbolic link: tests run as root, who can read any mode).
 */
export async function writeImageFolder(
  root: string,
  counts: { images: number; corrupt: number; notImages: number },
): Promise<ImageFolder> {
  const formats = ['png', 'jpeg', 'webp'] as const;
  const folder: ImageFolder = { inputs: [], corrupt: [], notImages: [], unreadable: [] };
  const base = path.basename(root);
  const put = (relative: string, bytes: Buffer | string) => {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    return path.join(base, relative);
  };
  const images = await Promise.all(
    Array.from({ length: counts.images }, (_, i) => uniqueImage(i, formats[i % 3] as (typeof formats)[number])),
  );
  images.forEach((bytes, i) => {
    const format = formats[i % 3] as string;
    // Extensions are not trusted: some lie, some are missing.
    const name = i % 10 === 0 ? `img-${i}` : i % 10 === 1 ? `img-${i}.txt` : `img-${i}.${format}`;
    folder.inputs.push(put(path.join(`part-${i % 4}`, `sub-${i % 3}`, name), bytes));
  });
  for (let i = 0; i < counts.corrupt; i++) {
    const whole = images[(i * 3) % images.length] as Buffer; // PNGs: a truncated JPEG can still decode
    const relative = put(
      path.join('corrupt', `broken-${i}.png`),
      Buffer.concat([whole.subarray(0, 40), Buffer.from([i])]),
    );
    folder.inputs.push(relative);
    folder.corrupt.push(relative);
  }
  for (let i = 0; i < counts.notImages; i++) {
    folder.notImages.push(put(path.join('notes', i === 0 ? 'fake.jpg' : `note-${i}.txt`), `not an image ${i}\n`));
  }
  const dangling = path.join(root, 'part-0', 'gone.jpg');
  symlinkSync(path.join(root, 'no-such-file.jpg'), dangling);
  const unreadable = path.join(base, 'part-0', 'gone.jpg');
  folder.inputs.push(unreadable);
  folder.unreadable.push(unreadable);
  folder.inputs.sort();
  return folder;
}
