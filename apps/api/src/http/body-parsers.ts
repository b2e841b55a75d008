import { AppError, fieldOfDeepPath, MAX_JSON_DEPTH, pathDeeperThan } from '@infer/contracts';
import express, { type RequestHandler, type Response } from 'express';
import multer from 'multer';

/** Raw bodies the API takes as the image itself; the bytes decide the type, not this header. */
export const RAW_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'];

/** Which parser read the body: the one place Content-Type is looked at (see bodyKindOf). */
export type BodyKind = 'multipart' | 'json' | 'raw';

/**
 * Body parsing for the submit routes. busboy, multer and body-parser report
 * malformed input with errors that carry no HTTP status (or a status but no code
 * of ours): every one is turned into a stable 4xx here, where it enters, so that
 * nothing a client sends can reach the error handler as a 500.
 */

export interface MultipartLimits {
  fileSize: number;
  files: number;
  fields: number;
  fieldSize: number;
  parts: number;
}

export interface BodyParserOptions {
  multipart: MultipartLimits;
  /** Largest JSON body (bytes). */
  jsonLimit: number;
  /** Largest raw image body (bytes); undefined where raw bodies are not accepted (batches). */
  rawLimit?: number | undefined;
  /** The 415 message: which bodies this route takes. */
  accepted: string;
}

/**
 * Pick the parser by Content-Type; anything else is 415 before reading the body.
 * The kind chosen is kept for the handler (bodyKindOf), which never reads the header again.
 */
export function bodyParser(options: BodyParserOptions): RequestHandler {
  const multipart = multer({ storage: multer.memoryStorage(), limits: options.multipart }).any();
  const json = express.json({ limit: options.jsonLimit });
  const raw =
    options.rawLimit === undefined ? undefined : express.raw({ type: RAW_IMAGE_TYPES, limit: options.rawLimit });
  return (req, res, next) => {
    const mapped = (kind: BodyKind) => (error?: unknown) => next(error ? bodyError(error, kind) : undefined);
    if (req.is('multipart/form-data')) {
      res.locals.bodyKind = 'multipart';
      // body-parser inflates gzip and deflate; multer reads the bytes as they come.
      const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding !== 'identity') {
        next(
          new AppError('unsupported_media_type', `a multipart body cannot be sent with Content-Encoding: ${encoding}`, {
            details: { field: 'Content-Encoding' },
          }),
        );
        return;
      }
      multipart(req, res, mapped('multipart'));
      return;
    }
    if (req.is('application/json')) {
      res.locals.bodyKind = 'json';
      json(req, res, (error?: unknown) => {
        if (error) return next(bodyError(error, 'json'));
        next(deepNesting(req.body));
      });
      return;
    }
    if (raw && req.is(RAW_IMAGE_TYPES)) {
      res.locals.bodyKind = 'raw';
      raw(req, res, mapped('raw'));
      return;
    }
    next(new AppError('unsupported_media_type', options.accepted));
  };
}

/** The kind of body bodyParser read for this request (a route without bodyParser in front has none). */
export function bodyKindOf(res: Response): BodyKind {
  const kind = res.locals.bodyKind as BodyKind | undefined;
  if (!kind) throw new Error('bodyKindOf: no bodyParser ran for this route');
  return kind;
}

/** Refuse nesting deeper than MAX_JSON_DEPTH before any recursive walk of the body. */
function deepNesting(body: unknown): AppError | undefined {
  const path = pathDeeperThan(body, MAX_JSON_DEPTH);
  if (!path) return undefined;
  const field = fieldOfDeepPath(path) || 'body';
  return new AppError('invalid_request', `${field}: nests deeper than ${MAX_JSON_DEPTH} levels`, {
    details: { field, max_depth: MAX_JSON_DEPTH },
  });
}

/** Every error a body parser can raise, as the client's 4xx (or the AppError it already is). */
export function bodyError(error: unknown, kind: BodyKind): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof multer.MulterError) return multerError(error);
  const err = error as { type?: string; status?: number; message?: string; code?: string };
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'the request body is larger than the upload limit');
    case 'entity.parse.failed':
      return new AppError('invalid_request', 'the request body is not valid JSON', { details: { field: 'body' } });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported_media_type', `the request body cannot be read: ${err.message ?? err.type}`);
    default:
      // Truncated or corrupt bodies (busboy's "Unexpected end of form", "Malformed part header",
      // "Boundary not found"; zlib errors of a corrupt gzip body; aborted or short requests).
      return new AppError(
        'invalid_request',
        `the ${KIND_NAMES[kind]} body is malformed: ${err.message ?? 'unreadable'}`,
        {
          details: { field: 'body', reason: err.message ?? String(error) },
        },
      );
  }
}

const KIND_NAMES: Record<BodyKind, string> = { multipart: 'multipart', json: 'JSON', raw: 'request' };

function multerError(error: multer.MulterError): AppError {
  const field = error.field ? { field: error.field } : undefined;
  if (error.code === 'LIMIT_FILE_SIZE') {
    return new AppError('payload_too_large', 'the image is larger than the upload limit', { details: field });
  }
  if (error.code === 'LIMIT_FIELD_VALUE') {
    return new AppError('payload_too_large', `form field "${error.field}" is larger than allowed`, { details: field });
  }
  return new AppError(
    'invalid_request',
    `multipart body refused: ${error.message}${error.field ? ` (field "${error.field.slice(0, 64)}")` : ''}`,
    { details: field && { field: error.field?.slice(0, 64) } },
  );
}
