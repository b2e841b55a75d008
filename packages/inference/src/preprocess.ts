import { InvalidImageError, type ModelInput, sniffImageType } from '@infer/contracts';
import sharp, { type SharpOptions } from 'sharp';
import { decodeFailure } from './decode-failure.ts';

export interface PreprocessLimits {
  /** Decompression-bomb guard: width x height of the encoded image. */
  maxInputPixels: number;
}

export interface DecodedImage {
  /** The image at the model's input size: 8-bit RGB, interleaved (HWC), what writeTensor reads. */
  pixels: Uint8Array;
  /** What the bytes are, by their magic bytes: JPEG, PNG or WebP. */
  source: { format: 'jpeg' | 'png' | 'webp' };
}

export interface PreprocessedImage {
  /** One image's tensor in the model's layout, without the batch axis. */
  data: Float32Array;
  source: DecodedImage['source'];
}

/**
 * Process-wide sharp settings for a worker decoding untrusted uploads: libvips'
 * operation cache only holds memory for images never seen twice, and `threads`
 * (libvips threads per image) bounds CPU per decode so that parallelism comes
 * from PREPROCESS_CONCURRENCY; 0 keeps sharp's default (one per core).
 */
export function configureSharp(options: { threads?: number } = {}): void {
  sharp.cache(false);
  if (options.threads) sharp.concurrency(options.threads);
}

/** The number of floats in one preprocessed image. */
export const tensorLength = (input: ModelInput): number => input.width * input.height * 3;

/**
 * Decode, orient, flatten and resize an untrusted image with sharp, then lay it
 * out as float32 in the model's layout, colour order and normalisation.
 */
export async function preprocessImage(
  bytes: Uint8Array,
  input: ModelInput,
  limits: PreprocessLimits,
): Promise<PreprocessedImage> {
  const { pixels, source } = await decodeImage(bytes, input, limits);
  return { data: toTensor(pixels, input), source };
}

/**
 * Decode, orient, flatten and resize an untrusted image with sharp to 8-bit RGB at the
 * model's input size. The worker stops here: the batch tensor is written straight from
 * these pixels (ModelServer.infer), a quarter of the bytes of a float tensor and no copy.
 */
export async function decodeImage(
  bytes: Uint8Array,
  input: ModelInput,
  limits: PreprocessLimits,
): Promise<DecodedImage> {
  if (bytes.byteLength === 0) throw new InvalidImageError('the image is empty (0 bytes)');
  // JPEG, PNG or WebP by magic bytes, before libvips sees anything: GIF, TIFF, SVG, PDF and
  // the rest never reach a decoder. No separate metadata() pass: it opened the image once
  // more, 0.7 CPU-ms per image (measured alternately: 6.51 -> 5.76 for a 64x64 PNG).
  const type = sniffImageType(bytes);
  if (!type) throw new InvalidImageError('unsupported image format; send JPEG, PNG or WebP');
  const format = FORMATS[type];
  const options: SharpOptions = {
    // Checked against the header when the image is opened, before any pixel is decoded
    // (bombs cost nothing): sharp's "exceeds pixel limit" becomes image_too_large (decodeFailure).
    limitInputPixels: limits.maxInputPixels,
    // 'error' (not the stricter default 'warning'): truncated or corrupt data is an
    // error, not a grey half-image that would be classified anyway; but harmless
    // libjpeg/libpng warnings that phones and editors produce daily (extraneous
    // bytes before a marker, unknown chunks) do not reject a photo.
    failOn: 'error',
    // Animated images: first frame only.
    pages: 1,
    page: 0,
  };

  const [r, g, b] = input.background;
  let pixels: Buffer;
  try {
    pixels = await sharp(bytes, options)
      .rotate() // apply EXIF orientation
      .toColourspace('srgb') // CMYK, greyscale, 16-bit, palette -> 8-bit sRGB
      .flatten({ background: { r, g, b } })
      .resize(input.width, input.height, {
        fit: input.resize,
        position: 'centre',
        background: { r, g, b, alpha: 1 },
        kernel: 'lanczos3',
      })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer();
  } catch (error) {
    throw decodeFailure(error, format, limits);
  }
  const expected = input.width * input.height * 3;
  if (pixels.length !== expected) {
    throw new InvalidImageError(`decoder produced ${pixels.length} bytes, expected ${expected}`);
  }
  return { pixels, source: { format } };
}

/** HWC uint8 RGB -> float32 in the model's layout, colour order and normalisation. */
export function toTensor(pixels: Uint8Array, input: ModelInput): Float32Array {
  const out = new Float32Array(tensorLength(input));
  writeTensor(pixels, input, out, 0);
  return out;
}

/**
 * Write one image's tensor into `out` from `offset` (a row of a batch): HWC uint8 RGB to
 * float32 in the model's layout, colour order and normalisation. One table lookup per
 * value, in loops without branches: this runs on the worker's main thread for every image.
 */
export function writeTensor(pixels: Uint8Array, input: ModelInput, out: Float32Array, offset: number): void {
  const plane = input.width * input.height;
  const tables = normalisationTables(input);
  if (input.layout === 'NCHW') {
    for (let channel = 0; channel < 3; channel++) {
      const table = tables[channel] as Float32Array;
      const source = input.color_order === 'BGR' ? 2 - channel : channel;
      const base = offset + channel * plane;
      for (let i = 0, j = source; i < plane; i++, j += 3) out[base + i] = table[pixels[j] as number] as number;
    }
    return;
  }
  const [t0, t1, t2] = tables as [Float32Array, Float32Array, Float32Array];
  const [s0, s1, s2] = input.color_order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let i = 0, j = 0, o = offset; i < plane; i++, j += 3, o += 3) {
    out[o] = t0[pixels[j + s0] as number] as number;
    out[o + 1] = t1[pixels[j + s1] as number] as number;
    out[o + 2] = t2[pixels[j + s2] as number] as number;
  }
}

/** Per output channel, the float of each of the 256 byte values (cached per model input). */
const tableCache = new WeakMap<ModelInput, Float32Array[]>();
function normalisationTables(input: ModelInput): Float32Array[] {
  let tables = tableCache.get(input);
  if (!tables) {
    tables = [0, 1, 2].map((channel) => {
      // Output channel `channel` reads source channel `source` and takes its mean and std.
      const source = input.color_order === 'BGR' ? 2 - channel : channel;
      const mean = input.mean[source] as number;
      const std = input.std[source] as number;
      return Float32Array.from({ length: 256 }, (_, v) => (v / input.scale - mean) / std);
    });
    tableCache.set(input, tables);
  }
  return tables;
}

const FORMATS = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;
