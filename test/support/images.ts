import sharp from 'sharp';

export type Rgb = [number, number, number];

/** Leaf-like test colours and what the reference model answers for each. */
export const COLOURS = {
  green: [40, 160, 40] as Rgb, // healthy
  orangeBrown: [200, 100, 30] as Rgb, // rust
  darkOlive: [50, 45, 35] as Rgb, // scab
  yellow: [220, 210, 30] as Rgb, // multiple_diseases
};

export function solidImage(rgb: Rgb, format: 'png' | 'jpeg' | 'webp' = 'png', size = 300): Promise<Buffer> {
  const [r, g, b] = rgb;
  const image = sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } });
  if (format === 'jpeg') return image.jpeg({ quality: 95 }).toBuffer();
  if (format === 'webp') return image.webp({ lossless: true }).toBuffer();
  return image.png().toBuffer();
}
