import { modelInputSchema } from '@infer/contracts';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  animatedWebp,
  noiseImage,
  orientedJpeg,
  pngBomb,
  zipArchive,
} from '../../../test/worker/fixtures/hostile-images.ts';
import { preprocessImage, toTensor, writeTensor } from './preprocess.ts';

const imagenet = modelInputSchema.parse({
  name: 'input',
  width: 2,
  height: 1,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
});
// Two pixels, HWC: (255, 0, 0) then (0, 128, 255)
const pixels = Uint8Array.from([255, 0, 0, 0, 128, 255]);
const norm = (v: number, c: 0 | 1 | 2) => (v / 255 - imagenet.mean[c]) / imagenet.std[c];

describe('toTensor', () => {
  it('lays out NCHW planes in RGB order with mean/std normalisation', () => {
    const t = toTensor(pixels, imagenet);
    const expected = [norm(255, 0), norm(0, 0), norm(0, 1), norm(128, 1), norm(0, 2), norm(255, 2)];
    for (const [i, value] of expected.entries()) expect(t[i]).toBeCloseTo(value, 5);
  });

  it('interleaves NHWC and reverses channels for BGR models', () => {
    const t = toTensor(pixels, { ...imagenet, layout: 'NHWC', color_order: 'BGR' });
    const expected = [norm(0, 2), norm(0, 1), norm(255, 0), norm(255, 2), norm(128, 1), norm(0, 0)];
    for (const [i, value] of expected.entries()) expect(t[i]).toBeCloseTo(value, 5);
  });

  it('writes the same tensor at a batch row offset, leaving the other rows alone', () => {
    for (const input of [imagenet, { ...imagenet, layout: 'NHWC' as const, color_order: 'BGR' as const }]) {
      const batch = new Float32Array(18).fill(7);
      writeTensor(pixels, input, batch, 6);
      expect([...batch.subarray(0, 6), ...batch.subarray(12)]).toEqual(Array(12).fill(7));
      expect([...batch.subarray(6, 12)]).toEqual([...toTensor(pixels, input)]);
    }
  });
});

const input224 = modelInputSchema.parse({ name: 'input', width: 8, height: 8 });
const limits = { maxInputPixels: 10_000_000 };
const solid = (r: number, g: number, b: number, channels: 3 | 4 = 3, alpha = 1) =>
  sharp({ create: { width: 16, height: 12, channels, background: { r, g, b, alpha } } });

describe('preprocessImage', () => {
  it('decodes a PNG to scaled RGB values', async () => {
    const { data, source } = await preprocessImage(await solid(40, 160, 40).png().toBuffer(), input224, limits);
    expect(source).toEqual({ format: 'png' });
    expect(data).toHaveLength(3 * 8 * 8);
    expect(data[0]).toBeCloseTo(40 / 255, 5);
    expect(data[64]).toBeCloseTo(160 / 255, 5);
    expect(data[128]).toBeCloseTo(40 / 255, 5);
  });

  describe('resize modes on a 16x8 image: red 4-pixel bands left and right, blue in the middle', () => {
    const banded = () => {
      const raw = Buffer.alloc(16 * 8 * 3);
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 16; x++) {
          const red = x < 4 || x >= 12;
          raw.set(red ? [255, 0, 0] : [0, 0, 255], (y * 16 + x) * 3);
        }
      return sharp(raw, { raw: { width: 16, height: 8, channels: 3 } })
        .png()
        .toBuffer();
    };
    /** [R, G, B] of the 8x8 NCHW tensor at (x, y), rounded to 0..1 steps of 0.5. */
    const rgbAt = (data: Float32Array, x: number, y: number) =>
      [0, 1, 2].map((c) => Math.round((data[c * 64 + y * 8 + x] as number) * 2) / 2);
    const RED = [1, 0, 0];
    const BLUE = [0, 0, 1];
    const GREEN = [0, 1, 0];

    it('fill stretches the whole image', async () => {
      const { data } = await preprocessImage(await banded(), { ...input224, resize: 'fill' }, limits);
      expect([rgbAt(data, 0, 4), rgbAt(data, 4, 4), rgbAt(data, 7, 4)]).toEqual([RED, BLUE, RED]);
      expect(rgbAt(data, 4, 0)).toEqual(BLUE);
    });

    it('cover scales to fill and crops the centre', async () => {
      const { data } = await preprocessImage(await banded(), { ...input224, resize: 'cover' }, limits);
      expect([rgbAt(data, 0, 4), rgbAt(data, 4, 4), rgbAt(data, 7, 4), rgbAt(data, 4, 0)]).toEqual([
        BLUE,
        BLUE,
        BLUE,
        BLUE,
      ]);
    });

    it('contain scales to fit and pads with the model background', async () => {
      const input = { ...input224, resize: 'contain' as const, background: [0, 255, 0] as [number, number, number] };
      const { data } = await preprocessImage(await banded(), input, limits);
      expect([rgbAt(data, 0, 4), rgbAt(data, 4, 4), rgbAt(data, 7, 4)]).toEqual([RED, BLUE, RED]);
      expect([rgbAt(data, 4, 0), rgbAt(data, 4, 7)]).toEqual([GREEN, GREEN]);
    });
  });

  it('flattens transparency onto the model background', async () => {
    const png = await solid(255, 0, 0, 4, 0).png().toBuffer();
    const { data } = await preprocessImage(png, { ...input224, background: [0, 255, 0] }, limits);
    expect([data[0], data[64], data[128]]).toEqual([0, 1, 0]);
  });

  it('expands greyscale to three channels', async () => {
    const grey = await solid(100, 100, 100).greyscale().png().toBuffer();
    const { data } = await preprocessImage(grey, input224, limits);
    expect(data[0]).toBeCloseTo(100 / 255, 2);
    expect(data[64]).toBeCloseTo(data[0] as number, 5);
    expect(data[128]).toBeCloseTo(data[0] as number, 5);
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['text', Buffer.from('hello, I am not an image')],
  ])('refuses %s as invalid_image', async (_name, bytes) => {
    await expect(preprocessImage(bytes, input224, limits)).rejects.toMatchObject({
      code: 'invalid_image',
      permanent: true,
    });
  });

  it('refuses a truncated PNG as invalid_image', async () => {
    const png = await sharp({
      create: {
        width: 64,
        height: 64,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 50 },
      },
    })
      .png()
      .toBuffer();
    await expect(preprocessImage(png.subarray(0, png.length / 2), input224, limits)).rejects.toMatchObject({
      code: 'invalid_image',
    });
  });

  it.each(['jpeg', 'png', 'webp'] as const)(
    'says in one sentence that a cut-short %s is broken, and keeps libvips text as the cause',
    async (format) => {
      const whole = await sharp({
        create: {
          width: 64,
          height: 64,
          channels: 3,
          background: '#000',
          noise: { type: 'gaussian', mean: 128, sigma: 50 },
        },
      })
        .toFormat(format)
        .toBuffer();
      const error = await preprocessImage(whole.subarray(0, whole.length / 2), input224, limits).catch((e) => e);
      const name = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' }[format];
      expect(error).toMatchObject({ code: 'invalid_image', message: `the image is truncated or not a valid ${name}` });
      expect(String((error as Error).cause)).not.toBe('undefined');
      expect((error as Error).message).not.toMatch(/vips|spng/i);
    },
  );

  it('refuses images above the pixel limit as image_too_large before decoding', async () => {
    const png = await solid(1, 2, 3).png().toBuffer();
    await expect(preprocessImage(png, input224, { maxInputPixels: 100 })).rejects.toMatchObject({
      code: 'image_too_large',
      permanent: true,
      message: 'the image has more than 100 pixels, the most a worker decodes',
    });
  });

  it('refuses formats outside JPEG, PNG and WebP', async () => {
    const gif = await solid(1, 2, 3).gif().toBuffer();
    await expect(preprocessImage(gif, input224, limits)).rejects.toMatchObject({ code: 'invalid_image' });
  });
});

/** Mean of one channel plane of an NCHW tensor (optionally over a row range). */
function planeMean(
  data: Float32Array,
  input: { width: number; height: number },
  channel: number,
  rows?: [number, number],
) {
  const [from, to] = rows ?? [0, input.height];
  let sum = 0;
  for (let y = from; y < to; y++) {
    for (let x = 0; x < input.width; x++)
      sum += data[channel * input.width * input.height + y * input.width + x] as number;
  }
  return (sum / ((to - from) * input.width)) * 255;
}

describe('preprocessImage decoding variants', () => {
  it('applies EXIF orientation 6: a left-red/right-blue photo is seen top-red/bottom-blue', async () => {
    const tall = modelInputSchema.parse({ name: 'input', width: 16, height: 32 });
    const { data, source } = await preprocessImage(await orientedJpeg(6), tall, limits);
    expect(source).toEqual({ format: 'jpeg' });
    expect(planeMean(data, tall, 0, [0, 14])).toBeGreaterThan(240); // top: red
    expect(planeMean(data, tall, 2, [0, 14])).toBeLessThan(15);
    expect(planeMean(data, tall, 0, [18, 32])).toBeLessThan(15); // bottom: blue
    expect(planeMean(data, tall, 2, [18, 32])).toBeGreaterThan(240);
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const cmyk = await solid(200, 100, 30).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const { data } = await preprocessImage(cmyk, input224, limits);
    // The round trip through libvips' CMYK profile shifts colours (sharp 0.35, libvips
    // 8.18: blue 30 -> 7), so the reference is libvips' own sRGB conversion. Read as raw
    // channels (no conversion) the planes would be off by over 100.
    const { data: srgb } = await sharp(cmyk).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const means = [0, 1, 2].map((c) => planeMean(data, input224, c));
    for (const c of [0, 1, 2]) expect(Math.abs((means[c] as number) - (srgb[c] as number))).toBeLessThan(3);
    for (const [c, original] of [200, 100, 30].entries())
      expect(Math.abs((means[c] as number) - original)).toBeLessThan(30);
  });

  it('scales a 16-bit PNG down to 8-bit values', async () => {
    const raw = new Uint16Array(16 * 12 * 3);
    for (let i = 0; i < 16 * 12; i++) raw.set([40 * 257, 160 * 257, 40 * 257], i * 3);
    const png16 = await sharp(raw, { raw: { width: 16, height: 12, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const { data } = await preprocessImage(png16, input224, limits);
    expect([data[0], data[64], data[128]].map((v) => Math.round((v as number) * 255))).toEqual([40, 160, 40]);
  });

  it('expands a palette PNG', async () => {
    const palette = await solid(200, 100, 30).png({ palette: true }).toBuffer();
    expect((await sharp(palette).metadata()).isPalette).toBe(true);
    const { data } = await preprocessImage(palette, input224, limits);
    expect([data[0], data[64], data[128]].map((v) => Math.round((v as number) * 255))).toEqual([200, 100, 30]);
  });

  it('takes the first frame of an animated WebP', async () => {
    const animated = await animatedWebp({ r: 255, g: 0, b: 0 }, { r: 0, g: 0, b: 255 });
    expect((await sharp(animated).metadata()).pages).toBe(2);
    const { data, source } = await preprocessImage(animated, input224, limits);
    expect(source).toEqual({ format: 'webp' });
    // Red all over: all frames, stacked, would have filled the lower half with the blue one.
    expect(planeMean(data, input224, 0)).toBeCloseTo(255, 0);
    expect(planeMean(data, input224, 2)).toBeCloseTo(0, 0);
  });

  it('refuses a truncated JPEG instead of classifying a grey half-image', async () => {
    const jpeg = await noiseImage('jpeg');
    await expect(preprocessImage(jpeg.subarray(0, jpeg.length * 0.9), input224, limits)).rejects.toMatchObject({
      code: 'invalid_image',
    });
  });

  it('refuses a 20000x20000 PNG bomb as image_too_large from its header', async () => {
    const bomb = await pngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
    await expect(preprocessImage(bomb, input224, { maxInputPixels: 50_000_000 })).rejects.toMatchObject({
      code: 'image_too_large',
      permanent: true,
    });
  });

  it('decodes a JPEG with a ZIP archive appended (bytes after the end-of-image marker are ignored)', async () => {
    const jpeg = await solid(200, 100, 30).jpeg({ quality: 100 }).toBuffer();
    const polyglot = Buffer.concat([jpeg, zipArchive('payload.html', '<script>alert(1)</script>')]);
    const { data, source } = await preprocessImage(polyglot, input224, limits);
    expect(source.format).toBe('jpeg');
    expect(Math.round((data[0] as number) * 255)).toBeCloseTo(200, -1);
  });

  it('refuses bytes that start like a JPEG but are a PDF', async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n')]);
    await expect(preprocessImage(fake, input224, limits)).rejects.toMatchObject({ code: 'invalid_image' });
  });
});
