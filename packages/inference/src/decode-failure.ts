import { type AppError, ImageTooLargeError, InvalidImageError } from '@infer/contracts';

const FORMAT_NAMES = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' } as const;

/**
 * The failure a client reads when sharp cannot decode an upload: one short sentence and a
 * stable code. libvips' own text (`Input buffer has corrupt header: VipsJpeg: premature end
 * of JPEG image VipsJpeg: …`, the same line three times over) says nothing a person can act
 * on beyond "this file is broken", and names our decoder; it stays on the error's `cause`,
 * which the worker's log line prints (pino appends causes to the message).
 */
export function decodeFailure(
  error: unknown,
  format: keyof typeof FORMAT_NAMES,
  limits: { maxInputPixels: number },
): AppError {
  const text = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(text)) {
    // Read from the header before any pixel is decoded: the image is whole, only too big.
    return new ImageTooLargeError(
      `the image has more than ${limits.maxInputPixels.toLocaleString('en-US')} pixels, the most a worker decodes`,
      error,
    );
  }
  // The magic bytes said this format (sniffed before libvips saw anything), so whatever
  // libvips stumbled on is inside the file: cut short or damaged.
  return new InvalidImageError(`the image is truncated or not a valid ${FORMAT_NAMES[format]}`, error);
}
