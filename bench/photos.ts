import sharp from 'sharp';
import type { BenchModel } from './lib/systems.ts';

/** A bench photo; `variant` (its size) names the results when a run has several images. */
export interface BenchImage {
  bytes: Buffer;
  name: string;
  variant: string | undefined;
}

export const resultKey = (model: BenchModel, image: BenchImage) =>
  image.variant ? `${model.key}-${image.variant}` : model.key;

/** A photo-like JPEG: smooth colour fields plus fine noise, so decoding costs what a photo's does. */
export async function photo(width: number, height: number, seed: number): Promise<Buffer> {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const coarse = Buffer.from(Array.from({ length: 16 * 12 * 3 }, () => Math.floor(60 + random() * 150)));
  const base = await sharp(coarse, { raw: { width: 16, height: 12, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (let i = 0; i < base.length; i++)
    base[i] = Math.max(0, Math.min(255, (base[i] as number) + Math.floor((random() - 0.5) * 40)));
  return sharp(base, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
