import { ImageTooLargeError, InvalidImageError, type ModelInput } from '@infer/contracts';
import sharp, { type Metadata, type SharpOptions } from 'sharp';

/** Formats a client may send; anything else (including polyglots that sniff as another format) is refused. */
export const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface PreprocessLimits {
  /** Decompression-bomb guard: width x height of the encoded image. */
  maxInputPixels: number;
}

export interface PreprocessedImage {
  /** One image's tensor in the model's layout, without the batch axis. */
  data: Float32Array;
  source: { format: string; width: number; height: number };
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
  if (bytes.byteLength === 0) throw new InvalidImageError('the image is empty (0 bytes)');
  const options: SharpOptions = {
    // Checked against the header before any pixel is decoded (bombs cost nothing).
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
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, options).metadata();
  } catch (error) {
    throw classify(error);
  }
  const { format, width = 0, height = 0 } = metadata;
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new InvalidImageError(`unsupported image format "${format ?? 'unknown'}"; send JPEG, PNG or WebP`);
  }
  if (width * height > limits.maxInputPixels) {
    throw new ImageTooLargeError(
      `image is ${width}x${height} = ${width * height} pixels, above the limit of ${limits.maxInputPixels}`,
    );
  }

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
    throw classify(error);
  }
  const expected = input.width * input.height * 3;
  if (pixels.length !== expected) {
    throw new InvalidImageError(`decoder produced ${pixels.length} bytes, expected ${expected}`);
  }
  return { data: toTensor(pixels, input), source: { format, width, height } };
}

/** HWC uint8 RGB -> float32 in the model's layout, colour order and normalisation. */
export function toTensor(pixels: Uint8Array, input: ModelInput): Float32Array {
  const plane = input.width * input.height;
  const out = new Float32Array(plane * 3);
  const order = input.color_order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale = input.std.map((std) => 1 / (input.scale * std));
  const shift = input.mean.map((mean, c) => mean / input.std[c]!);
  const nchw = input.layout === 'NCHW';
  for (let channel = 0; channel < 3; channel++) {
    const source = order[channel] as number;
    const k = scale[source] as number;
    const m = shift[source] as number;
    for (let i = 0; i < plane; i++) {
      const value = (pixels[i * 3 + source] as number) * k - m;
      out[nchw ? channel * plane + i : i * 3 + channel] = value;
    }
  }
  return out;
}

function classify(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new ImageTooLargeError(`image exceeds the pixel limit: ${message}`);
  return new InvalidImageError(`cannot decode image: ${message}`, error);
}
