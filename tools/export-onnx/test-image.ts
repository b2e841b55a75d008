import sharp from 'sharp';

export interface TestImageOptions {
  width?: number;
  height?: number;
  format?: 'png' | 'jpeg';
  seed?: number;
}

/**
 * A deterministic leaf-coloured photo stand-in: a green-to-brown gradient with a
 * darker blotch and pixel noise, so that resizing, normalisation and channel
 * order all matter. Generated rather than committed: no binaries in git.
 */
export async function makeTestImage(options: TestImageOptions = {}): Promise<Buffer> {
  const { width = 320, height = 240, format = 'png', seed = 1 } = options;
  const random = lcg(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = x / (width - 1 || 1);
      const blotch = Math.hypot(x - width * 0.65, y - height * 0.4) < Math.min(width, height) * 0.18 ? 0.55 : 1;
      const noise = (random() - 0.5) * 40;
      const i = (y * width + x) * 3;
      pixels[i] = clamp((60 + 110 * t) * blotch + noise);
      pixels[i + 1] = clamp((150 - 40 * t + 30 * (y / height)) * blotch + noise);
      pixels[i + 2] = clamp((40 + 20 * (1 - t)) * blotch + noise);
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

const clamp = (value: number): number => Math.max(0, Math.min(255, Math.round(value)));

/** Small seeded generator (Numerical Recipes LCG): the same image on every run and platform. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
