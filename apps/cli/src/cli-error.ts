import { InferApiError, InferConnectionError } from '@infer/client';

/** A problem that ends the command with one clear line on stderr and a non-zero exit (2: usage or setup). */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** One line that says what went wrong and, where it helps, what to do. */
export function describeError(error: unknown): string {
  if (error instanceof CliError || error instanceof InferConnectionError) return error.message;
  if (error instanceof InferApiError) {
    if (error.status === 401) {
      return `the API refused the credentials (401 ${error.code}: ${error.message}); pass --api-key or set INFER_API_KEY`;
    }
    return `the API answered ${error.status} ${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
