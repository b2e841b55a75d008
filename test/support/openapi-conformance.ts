import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { openApiDocument } from '../../apps/api/src/app.ts';

type Json = Record<string, unknown>;

const BASE = 'https://infer.invalid/openapi.json';

/** `/v1/jobs/{id}` -> a regex for concrete paths; literal templates win over parameterised ones. */
function templates(doc: Json): { template: string; regex: RegExp; params: number }[] {
  return Object.keys(doc.paths as Json)
    .map((template) => {
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { template, regex: new RegExp(`^${source}$`), params: (template.match(/\{/g) ?? []).length };
    })
    .sort((a, b) => a.params - b.params);
}

/** Point local `#/components/...` references at the document registered in ajv. */
function absolutise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absolutise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `${BASE}${inner}` : absolutise(inner),
      ]),
    );
  }
  return value;
}

/**
 * Checks real answers of the API against its OpenAPI document: the operation
 * exists, the status is documented for it, the content type is one it lists,
 * and a JSON body validates (JSON Schema 2020-12) against the documented schema.
 * An answer on an undocumented path must be the documented `route_not_found`.
 */
export class OpenApiConformance {
  readonly doc: Json;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly paths: ReturnType<typeof templates>;
  /** Every (method, template, status) seen, for coverage assertions. */
  readonly seen = new Set<string>();

  constructor(doc: Json = openApiDocument()) {
    this.doc = doc;
    this.ajv.addSchema({ $id: BASE, components: (doc.components as Json | undefined) ?? {} });
    this.paths = templates(doc);
  }

  /** The template of the documented path `path` falls under, if any. */
  templateOf(path: string): string | undefined {
    return this.paths.find(({ regex }) => regex.test(path))?.template;
  }

  /**
   * Validate an answer; `body` is the parsed JSON (or text). Returns the list of
   * problems (empty when it conforms), so a test can show them all at once.
   */
  problems(method: string, url: string, status: number, contentType: string | null, body: unknown): string[] {
    const path = new URL(url, 'http://x').pathname;
    const template = this.templateOf(path);
    const where = `${method.toUpperCase()} ${path} -> ${status}`;
    if (!template) {
      // Not a documented path: only the generic 404 (or auth's 401 under /v1) may answer.
      const errorSchema = this.validator('#/components/schemas/Error', { $ref: '#/components/schemas/Error' });
      const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
      const allowed = (status === 404 && code === 'route_not_found') || (status === 401 && code === 'unauthorized');
      if (!allowed) return [`${where}: undocumented path answered ${JSON.stringify(body)}`];
      return errorSchema(body) ? [] : [`${where}: ${this.ajv.errorsText(errorSchema.errors)}`];
    }
    const operation = (this.doc.paths as Record<string, Record<string, Json>>)[template]?.[method.toLowerCase()];
    if (!operation) return [`${where}: ${method} is not documented for ${template}`];
    this.seen.add(`${method.toUpperCase()} ${template} ${status}`);
    const response = (operation.responses as Record<string, Json>)[String(status)];
    if (!response) return [`${where}: status ${status} is not documented for ${method.toUpperCase()} ${template}`];
    const content = response.content as Record<string, { schema?: Json }> | undefined;
    if (!content) return [];
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const documented = content[mediaType];
    if (!documented)
      return [`${where}: content type "${mediaType}" not documented (${Object.keys(content).join(', ')})`];
    if (mediaType !== 'application/json' || !documented.schema) return [];
    const key = `${template} ${method} ${status}`;
    const validate = this.validator(key, documented.schema);
    return validate(body) ? [] : [`${where}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`];
  }

  /** Read a fetch Response (consuming it) and return its body along with any conformance problems. */
  async check(method: string, url: string, response: Response): Promise<{ body: unknown; problems: string[] }> {
    const contentType = response.headers.get('content-type');
    const text = await response.text();
    const body = contentType?.includes('json') && text !== '' ? JSON.parse(text) : text;
    return { body, problems: this.problems(method, url, response.status, contentType, body) };
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(absolutise(schema) as Json);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

export interface CheckedResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * fetch() whose answer must conform to the OpenAPI document (throws listing
 * the problems otherwise): every answer a test observes is checked.
 */
export async function fetchConforming<T = unknown>(
  conformance: OpenApiConformance,
  url: string,
  init: RequestInit = {},
): Promise<CheckedResponse<T>> {
  const response = await fetch(url, init);
  const { body, problems } = await conformance.check(init.method ?? 'GET', url, response);
  if (problems.length > 0) throw new Error(`answer does not match /openapi.json:\n${problems.join('\n')}`);
  return { status: response.status, headers: response.headers, body: body as T };
}
