import { ERROR_CODES, type ErrorCode } from './errors.ts';

export interface AppErrorOptions {
  details?: unknown;
  permanent?: boolean;
  cause?: unknown;
  headers?: Record<string, string>;
}

/**
 * Base of every failure the system reports to a client. `code` is stable,
 * `status` is the HTTP status the API answers with, and `permanent` tells the
 * worker not to retry (BullMQ UnrecoverableError).
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly options: AppErrorOptions;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.options = options;
    this.name = new.target.name;
    this.status = ERROR_CODES[code];
  }
  get details(): unknown {
    return this.options.details;
  }
  get permanent(): boolean {
    return this.options.permanent ?? false;
  }
}

export class InvalidImageError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('invalid_image', message, { permanent: true, cause });
  }
}

export class ImageTooLargeError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('image_too_large', message, { permanent: true, cause });
  }
}

export class UnknownModelError extends AppError {
  constructor(model: string, version?: string) {
    super('unknown_model', `model "${model}"${version ? ` version "${version}"` : ''} is not served here`, {
      permanent: true,
      details: { model, version },
    });
  }
}

export class JobNotFoundError extends AppError {
  constructor(id: string) {
    super('job_not_found', `no job with id "${id}"`);
  }
}

/** A job id older than the results are kept: it existed, its record has expired. */
export class JobExpiredError extends AppError {
  constructor(id: string) {
    super('job_expired', `job "${id}" has expired: results are kept for a limited time after completion`);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('service_unavailable', message, { cause, headers: { 'Retry-After': '1' } });
  }
}
