export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

/**
 * The type of an upload comes from its magic bytes, never from the client's
 * Content-Type or file name: the API refuses anything else, and the worker's
 * decoder checks again before libvips sees the bytes (libvips picks its loader by
 * the same magic bytes, and none of the three is claimed by another loader).
 */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const at = (i: number) => bytes[i];
  if (bytes.length >= 3 && at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => at(i) === b)) {
    return 'image/png';
  }
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
