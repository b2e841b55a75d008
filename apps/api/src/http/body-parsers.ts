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
 * nothing a client sends can reach the error handler as a 500, and no library's
 * wording reaches a client (see bodyError).
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

/**
 * Every error a body parser can raise, as the client's 4xx (or the AppError it already is):
 * one sentence of ours, a stable code and, where clients may need to tell cases apart, a
 * stable `details.reason`. The library's own text ("Unexpected end of form", a JSON.parse
 * position, `unsupported charset "LATIN1"`) names our parsers and helps nobody fix a request:
 * it stays on the error's `cause`, which errorHandler writes to the request's log line.
 */
export function bodyError(error: unknown, kind: BodyKind): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof multer.MulterError) return multerError(error);
  const err = error as { type?: unknown; code?: unknown; message?: unknown };
  const cause = { cause: error };
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'the request body is larger than the upload limit', cause);
    case 'entity.parse.failed':
      return new AppError('invalid_request', 'the request body is not valid JSON', {
        ...cause,
        details: { field: 'body', reason: 'invalid_json' },
      });
    case 'charset.unsupported':
      return new AppError(
        'unsupported_media_type',
        "the request body's charset is not one the API reads (send UTF-8)",
        {
          ...cause,
          details: { field: 'Content-Type', reason: 'bad_charset' },
        },
      );
    case 'encoding.unsupported':
      return new AppError(
        'unsupported_media_type',
        'the request body is compressed in a way the API does not read (use gzip, deflate or br, or none)',
        { ...cause, details: { field: 'Content-Encoding', reason: 'bad_encoding' } },
      );
  }
  const reason = malformedReason(err, kind);
  return new AppError('invalid_request', MALFORMED[reason](KIND_NAMES[kind]), {
    ...cause,
    details: { field: 'body', reason },
  });
}

/** Why a body could not be read, for the cases no `type` above names. */
type MalformedReason =
  | 'unexpected_end'
  | 'malformed_part'
  | 'missing_boundary'
  | 'malformed_content_type'
  | 'corrupt_encoding'
  | 'aborted'
  | 'length_mismatch'
  | 'unreadable';

const MALFORMED: Record<MalformedReason, (kind: string) => string> = {
  unexpected_end: (kind) => `the ${kind} body ends before its closing boundary`,
  malformed_part: (kind) => `a part of the ${kind} body has a malformed header`,
  missing_boundary: () => 'the multipart Content-Type names no boundary',
  malformed_content_type: () => 'the Content-Type header is malformed',
  corrupt_encoding: () => 'the compressed request body is corrupt (its Content-Encoding cannot be undone)',
  aborted: () => 'the request body was cut off before its end',
  length_mismatch: () => 'the request body is shorter than its Content-Length',
  unreadable: (kind) => `the ${kind} body cannot be read`,
};

/**
 * busboy raises plain Errors without a code: these are its fixed messages (busboy 1.6,
 * lib/types/multipart.js and lib/index.js), matched whole, each to a token of ours.
 */
const BUSBOY_ERRORS: Record<string, MalformedReason> = {
  'Unexpected end of form': 'unexpected_end',
  'Unexpected end of file': 'unexpected_end',
  'Malformed part header': 'malformed_part',
  'Multipart: Boundary not found': 'missing_boundary',
  'Malformed content type': 'malformed_content_type',
  // multer's own, when the request stream ends early.
  'Request aborted': 'aborted',
  'Request closed': 'aborted',
};

function malformedReason(err: { type?: unknown; code?: unknown; message?: unknown }, kind: BodyKind): MalformedReason {
  // raw-body (behind body-parser): the client stopped sending, or sent less than it announced.
  if (err.type === 'request.aborted') return 'aborted';
  if (err.type === 'request.size.invalid') return 'length_mismatch';
  // zlib's errors of a corrupt gzip, deflate or brotli body carry its code (Z_DATA_ERROR, ERR_BROTLI_…).
  if (typeof err.code === 'string' && /^(Z_|ERR_BROTLI|ERR_ZSTD)/.test(err.code)) return 'corrupt_encoding';
  if (kind === 'multipart' && typeof err.message === 'string') return BUSBOY_ERRORS[err.message] ?? 'unreadable';
  return 'unreadable';
}

const KIND_NAMES: Record<BodyKind, string> = { multipart: 'multipart', json: 'JSON', raw: 'request' };

/** multer's refusals by their code: a sentence of ours and the reason token for each. */
const MULTER_REFUSALS: Record<string, { reason: string; message: string }> = {
  LIMIT_PART_COUNT: { reason: 'too_many_parts', message: 'the multipart body has more parts than allowed' },
  LIMIT_FILE_COUNT: { reason: 'too_many_files', message: 'the multipart body has more files than allowed' },
  LIMIT_FIELD_COUNT: { reason: 'too_many_fields', message: 'the multipart body has more fields than allowed' },
  LIMIT_FIELD_KEY: { reason: 'field_name_too_long', message: 'a multipart field name is longer than allowed' },
  LIMIT_UNEXPECTED_FILE: { reason: 'unexpected_file', message: 'a multipart field that takes no file holds one' },
  MISSING_FIELD_NAME: { reason: 'missing_field_name', message: 'a part of the multipart body has no field name' },
  LIMIT_FIELD_NESTING: { reason: 'invalid_field_name', message: 'a multipart field name is not one the API reads' },
  LIMIT_FIELD_ARRAY_INDEX: { reason: 'invalid_field_name', message: 'a multipart field name is not one the API reads' },
  INVALID_FIELD_NAME: { reason: 'invalid_field_name', message: 'a multipart field name is not one the API reads' },
  STREAM_DESTROYED: { reason: 'aborted', message: 'the request body was cut off before its end' },
};

function multerError(error: multer.MulterError): AppError {
  const field = error.field ? { field: error.field.slice(0, 64) } : undefined;
  if (error.code === 'LIMIT_FILE_SIZE') {
    return new AppError('payload_too_large', 'the image is larger than the upload limit', {
      cause: error,
      details: field,
    });
  }
  if (error.code === 'LIMIT_FIELD_VALUE') {
    return new AppError('payload_too_large', `form field "${field?.field}" is larger than allowed`, {
      cause: error,
      details: field,
    });
  }
  const refusal = MULTER_REFUSALS[error.code] ?? {
    reason: 'refused',
    message: 'the multipart body is refused',
  };
  return new AppError('invalid_request', refusal.message, {
    cause: error,
    details: { ...field, reason: refusal.reason },
  });
}
