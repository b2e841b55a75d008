import { modelInputSchema } from '@infer/contracts';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { preprocessImage, toTensor } from './preprocess.ts';

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
});

const input224 = modelInputSchema.parse({ name: 'input', width: 8, height: 8 });
const limits = { maxInputPixels: 10_000_000 };
const solid = (r: number, g: number, b: number, channels: 3 | 4 = 3, alpha = 1) =>
  sharp({ create: { width: 16, height: 12, channels, background: { r, g, b, alpha } } });

describe('preprocessImage', () => {
  it('decodes a PNG to scaled RGB values', async () => {
    const { data, source } = await preprocessImage(await solid(40, 160, 40).png().toBuffer(), input224, limits);
    expect(source).toEqual({ format: 'png', width: 16, height: 12 });
    expect(data).toHaveLength(3 * 8 * 8);
    expect(data[0]).toBeCloseTo(40 / 255, 5);
    expect(data[64]).toBeCloseTo(160 / 255, 5);
    expect(data[128]).toBeCloseTo(40 / 255, 5);
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

  it('refuses images above the pixel limit as image_too_large before decoding', async () => {
    const png = await solid(1, 2, 3).png().toBuffer();
    await expect(preprocessImage(png, input224, { maxInputPixels: 100 })).rejects.toMatchObject({
      code: 'image_too_large',
      permanent: true,
    });
  });

  it('refuses formats outside JPEG, PNG and WebP', async () => {
    const gif = await solid(1, 2, 3).gif().toBuffer();
    await expect(preprocessImage(gif, input224, limits)).rejects.toMatchObject({ code: 'invalid_image' });
  });
});
