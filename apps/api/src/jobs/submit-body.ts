import {
  AppError,
  httpUrlSchema,
  type SubmitOptions,
  sniffImageType,
  submitBatchJsonSchema,
  submitJsonSchema,
  submitOptionsSchema,
} from '@infer/contracts';
import type { Request } from 'express';
import type { z } from 'zod';
import type { BodyKind } from '../http/body-parsers.ts';

/** One image of a submission, before any download: bytes already here, or a URL the API fetches. */
export type ImageInput =
  | { field: string; bytes: Buffer; url?: undefined; metadata?: Record<string, unknown> | undefined }
  | { field: string; url: string; bytes?: undefined; metadata?: Record<string, unknown> | undefined };

export interface ParsedSubmission {
  options: SubmitOptions;
  images: ImageInput[];
}

export interface BodyLimits {
  maxUploadBytes: number;
  maxBatchImages: number;
}

/** What the 415 answers (bodyParser's) say each route takes. */
export const SUBMIT_BODIES =
  'send multipart/form-data (field "image"), application/json ({ "image_base64" | "image_url" }) or a raw image/jpeg, image/png or image/webp body';
export const BATCH_BODIES =
  'send a batch as multipart/form-data (repeated "image" fields) or application/json ({ "images": [...] })';

/** Multipart text fields and query parameters that are options (besides the image sources). */
const OPTION_FIELDS = ['model', 'version', 'priority', 'metadata', 'webhook_url', 'webhook_events'] as const;

export const fieldError = (field: string, message: string): AppError =>
  new AppError('invalid_request', `${field}: ${message}`, { details: { field } });

/** `POST /v1/jobs`: multipart, JSON or a raw image body (options in the query string). */
export function parseSubmission(req: Request, kind: BodyKind, limits: BodyLimits): ParsedSubmission {
  if (kind === 'multipart') {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const files = filesOf(req);
    const sources = [
      ...files.map((file) => ({ field: 'image', bytes: file })),
      ...textSources(fields, limits),
    ] as ImageInput[];
    const options = parseOptions(pick(fields, ['image_url', 'image_base64']), 'form field');
    return { options, images: [one(sources, limits, options.metadata)] };
  }
  if (kind === 'json') {
    const body = validate(submitJsonSchema, req.body);
    const { image_base64, image_url, ...options } = body;
    const sources: ImageInput[] = [];
    if (image_base64 !== undefined)
      sources.push({ field: 'image_base64', bytes: decodeBase64(image_base64, 'image_base64', limits) });
    if (image_url !== undefined) sources.push({ field: 'image_url', url: image_url });
    return { options, images: [one(sources, limits, options.metadata)] };
  }
  // A raw image body, options in the query string. An empty body leaves req.body unset.
  const options = parseOptions(queryOf(req), 'query parameter');
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const sources: ImageInput[] = body.length > 0 ? [{ field: 'body', bytes: body }] : [];
  return { options, images: [one(sources, limits, options.metadata)] };
}

/** `POST /v1/jobs:batch`: multipart with repeated `image` files, or JSON `{ images: [...] }`. */
export function parseBatch(req: Request, kind: BodyKind, limits: BodyLimits): ParsedSubmission {
  let parsed: ParsedSubmission;
  if (kind === 'multipart') {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const options = parseOptions(fields, 'form field');
    parsed = {
      options,
      images: filesOf(req).map((bytes, i) => ({ field: `image[${i}]`, bytes, metadata: options.metadata })),
    };
  } else {
    // bodyParser took no raw body for batches: this is JSON.
    const { images, ...options } = validate(submitBatchJsonSchema, req.body);
    if (images.length > limits.maxBatchImages) throw tooMany(images.length, limits);
    parsed = {
      options,
      images: images.map((item, i) => {
        const sources: ImageInput[] = [];
        const metadata = item.metadata ?? options.metadata;
        if (item.image_base64 !== undefined) {
          const field = `images[${i}].image_base64`;
          sources.push({ field, bytes: decodeBase64(item.image_base64, field, limits) });
        }
        if (item.image_url !== undefined) sources.push({ field: `images[${i}].image_url`, url: item.image_url });
        return one(sources, limits, metadata, `images[${i}]`);
      }),
    };
  }
  if (parsed.images.length === 0)
    throw new AppError('missing_image', 'the batch holds no image', { details: { field: 'images' } });
  if (parsed.images.length > limits.maxBatchImages) throw tooMany(parsed.images.length, limits);
  for (const image of parsed.images) if (image.bytes) sniff(image.bytes, image.field);
  return parsed;
}

/** The type comes from the magic bytes, never from Content-Type or a file name. */
export function sniff(bytes: Uint8Array, field: string): void {
  if (!sniffImageType(bytes)) {
    throw new AppError(
      'unsupported_media_type',
      `${field}: the image must be JPEG, PNG or WebP (judged by its content)`,
      {
        details: { field },
      },
    );
  }
}

function one(
  sources: ImageInput[],
  limits: BodyLimits,
  metadata: Record<string, unknown> | undefined,
  where = '',
): ImageInput {
  const [first, second] = sources;
  const field = where || 'image';
  if (!first) {
    throw new AppError(
      'missing_image',
      `${where || 'the request'} names no image: send one of image, image_base64, image_url`,
      {
        details: { field },
      },
    );
  }
  if (second) {
    throw new AppError(
      'ambiguous_image',
      `${second.field}: send exactly one image source, not ${sources.map((s) => s.field).join(' and ')}`,
      { details: { field: second.field, fields: sources.map((s) => s.field) } },
    );
  }
  if (first.bytes) {
    if (first.bytes.length > limits.maxUploadBytes) {
      throw new AppError(
        'payload_too_large',
        `${first.field}: the image is larger than ${limits.maxUploadBytes} bytes`,
        {
          details: { field: first.field, max_bytes: limits.maxUploadBytes },
        },
      );
    }
    sniff(first.bytes, first.field);
  }
  return { ...first, metadata };
}

function filesOf(req: Request): Buffer[] {
  const files = (req.files ?? []) as Express.Multer.File[];
  for (const file of files) {
    if (file.fieldname !== 'image')
      throw fieldError(file.fieldname, 'unexpected file field; the image goes in "image"');
  }
  return files.map((file) => file.buffer);
}

function textSources(fields: Record<string, unknown>, limits: BodyLimits): ImageInput[] {
  const sources: ImageInput[] = [];
  const base64 = single(fields, 'image_base64');
  if (base64 !== undefined)
    sources.push({ field: 'image_base64', bytes: decodeBase64(base64, 'image_base64', limits) });
  const url = single(fields, 'image_url');
  if (url !== undefined) sources.push({ field: 'image_url', url: validate(httpUrlSchema, url.trim(), 'image_url') });
  return sources;
}

/** Options from strings (form fields, query parameters), converted then validated by the same schema as JSON. */
/**
 * Built once: zod compiles a parser for each new schema object on its first parse, which
 * per request cost more than the rest of a submission's handling.
 */
const strictSubmitOptions = submitOptionsSchema.strict();

function parseOptions(raw: Record<string, unknown>, kind: string): SubmitOptions {
  const converted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!(OPTION_FIELDS as readonly string[]).includes(name)) throw fieldError(name, `unknown ${kind}`);
    if (name === 'webhook_events') {
      converted[name] = listOf(value);
      continue;
    }
    const text = single(raw, name);
    if (text === undefined) continue;
    if (name === 'priority') converted[name] = /^-?\d{1,9}$/.test(text.trim()) ? Number(text) : text;
    else if (name === 'metadata') converted[name] = parseJsonObject(text, name);
    else converted[name] = text.trim();
  }
  return validate(strictSubmitOptions, converted);
}

/** webhook_events as repeated fields, a comma-separated list or a JSON array. */
function listOf(value: unknown): unknown {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => {
    if (typeof item !== 'string') return [item];
    const text = item.trim();
    if (text.startsWith('[')) return parseJsonArray(text, 'webhook_events');
    return text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  });
}

function single(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw fieldError(name, 'give it once');
  return value.trim() === '' ? undefined : value;
}

function pick(fields: Record<string, unknown>, without: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !without.includes(name)));
}

function queryOf(req: Request): Record<string, unknown> {
  return { ...(req.query as Record<string, unknown>) };
}

function parseJsonObject(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw fieldError(field, 'must be a JSON object');
  }
}

function parseJsonArray(text: string, field: string): unknown[] {
  try {
    const value = JSON.parse(text) as unknown;
    if (Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw fieldError(field, 'must be a JSON array of event names');
}

/** Strict base64 (standard or URL-safe alphabet, optional data: URL prefix), size-checked before decoding. */
export function decodeBase64(text: string, field: string, limits: BodyLimits): Buffer {
  const payload = text.replace(/^data:[\w.+-]+\/[\w.+-]+;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(payload) || payload.length % 4 === 1) {
    throw fieldError(field, 'is not valid base64');
  }
  if (Math.floor((payload.length * 3) / 4) - 2 > limits.maxUploadBytes) {
    throw new AppError('payload_too_large', `${field}: the image is larger than ${limits.maxUploadBytes} bytes`, {
      details: { field, max_bytes: limits.maxUploadBytes },
    });
  }
  return Buffer.from(payload, payload.includes('-') || payload.includes('_') ? 'base64url' : 'base64');
}

/** Validate with a contracts schema; the first issue names its field (`images[2].image_url`). */
export function validate<T>(schema: z.ZodType<T>, value: unknown, field?: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw fieldError(field ?? 'body', 'invalid');
  const path = [...(field ? [field] : []), ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys') {
    const name = fieldName([...path, issue.keys[0] ?? '']);
    throw fieldError(name, 'unknown field');
  }
  const name = fieldName(path) || 'body';
  throw new AppError('invalid_request', `${name}: ${issue.message}`, { details: { field: name } });
}

const fieldName = (path: string[]): string =>
  path.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');

function tooMany(count: number, limits: BodyLimits): AppError {
  return new AppError('invalid_request', `images: at most ${limits.maxBatchImages} images per batch, got ${count}`, {
    details: { field: 'images', max: limits.maxBatchImages },
  });
}
