import { afterAll, beforeAll } from 'vitest';
import { postJson as postJsonTo, SUBMISSION_LIMITS_ENV } from '../../../../test/support/api-answers.ts';
import { type ImageServer, imageServer } from '../../../../test/support/image-server.ts';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { InProcessApi } from './in-process-api.ts';

/** What the submission suites work with; filled in by their beforeAll. */
export interface SubmissionApi {
  /** The API in-process with the submission tests' small limits (SUBMISSION_LIMITS_ENV). */
  api: InProcessApi;
  /** Serves `image_url`s (the green leaf, errors, redirects) on 127.0.0.1. */
  images: ImageServer;
  /** A 64x64 green PNG. */
  green: Buffer;
  /** POST a JSON body to this API (a submission unless `path` says otherwise). */
  postJson: (body: unknown, headers?: Record<string, string>, path?: string) => Promise<Response>;
}

/** Starts the submission suites' API and image server before the suite, and stops them after. */
export function useSubmissionApi(): SubmissionApi {
  const suite = {
    postJson: (body: unknown, headers?: Record<string, string>, path?: string) =>
      postJsonTo(suite.api.apiUrl, body, headers, path),
  } as SubmissionApi;
  beforeAll(async () => {
    suite.green = await solidImage(COLOURS.green, 'png', 64);
    suite.images = await imageServer(suite.green);
    suite.api = await InProcessApi.start({ env: SUBMISSION_LIMITS_ENV });
  });
  afterAll(async () => {
    await suite.api?.close();
    suite.images?.server.close();
  });
  return suite;
}
