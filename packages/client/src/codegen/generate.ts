// Regenerates packages/client/src/schema.ts from the OpenAPI document: the API's own (in-process, the
// default) or the one a running API serves (`pnpm run generate:client --url http://localhost:8080`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCHEMA_FILE, schemaSource } from './schema-source.ts';

const { values } = parseArgs({ options: { url: { type: 'string' } } });

async function document(): Promise<unknown> {
  if (values.url) {
    const response = await fetch(new URL('/openapi.json', values.url));
    if (!response.ok) throw new Error(`GET /openapi.json: ${response.status}`);
    return response.json();
  }
  const { openApiDocument } = await import('../../../../apps/api/src/app.ts');
  return openApiDocument();
}

writeFileSync(SCHEMA_FILE, await schemaSource(await document()));
console.log(`wrote ${fileURLToPath(SCHEMA_FILE)}`);
