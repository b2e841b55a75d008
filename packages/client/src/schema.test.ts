import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../apps/api/src/app.ts';
import { SCHEMA_FILE, schemaSource } from './codegen/schema-source.ts';

/** The checked-in types cannot drift from the API: any change to an operation needs `pnpm run generate:client`. */
describe('packages/client/src/schema.ts', () => {
  it('is what openapi-typescript makes of the API’s OpenAPI document today', async () => {
    const checkedIn = readFileSync(SCHEMA_FILE, 'utf8');
    const regenerated = await schemaSource(openApiDocument());
    expect(checkedIn === regenerated, 'schema.ts is stale: run `pnpm run generate:client` and commit it').toBe(true);
  });
});
