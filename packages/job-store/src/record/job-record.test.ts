import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JOB_FIELD_NAMES } from './job-record.ts';

const SCRIPTS = new URL('../scripts/', import.meta.url);

/** Every .lua file of the package: the scripts and their includes. */
function luaFiles(): { name: string; text: string }[] {
  return readdirSync(SCRIPTS, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.lua'))
    .map((name) => ({ name, text: readFileSync(new URL(name, SCRIPTS), 'utf8') }));
}

/** The arguments of the call whose `(` is at `open`, split at top-level commas. */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (let i = open + 1; i < text.length; i++) {
    const char = text[i] as string;
    if (quote) {
      if (char === '\\') current += text[i++];
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '(' || char === '{' || char === '[') depth++;
    else if (char === ')' || char === '}' || char === ']') {
      if (depth === 0) {
        args.push(current.trim());
        return args;
      }
      depth--;
    } else if (char === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  throw new Error('unbalanced call');
}

/** Which arguments of a hash command are field names (after the command and the key). */
const FIELD_POSITIONS: Record<string, (index: number) => boolean> = {
  HGET: (i) => i >= 2,
  HMGET: (i) => i >= 2,
  HDEL: (i) => i >= 2,
  HEXISTS: (i) => i >= 2,
  HSET: (i) => i >= 2 && i % 2 === 0,
  HMSET: (i) => i >= 2 && i % 2 === 0,
  HSETNX: (i) => i === 2,
  HINCRBY: (i) => i === 2,
  HINCRBYFLOAT: (i) => i === 2,
};

/** The field names a script spells out as literals in its hash commands. */
function literalFields(text: string): string[] {
  const fields: string[] = [];
  for (const match of text.matchAll(/(?:redis\.call|redis\.pcall|rcall)\(\s*'(H[A-Z]+)'/g)) {
    const positions = FIELD_POSITIONS[match[1] as string];
    if (!positions) continue;
    const args = callArguments(text, (match.index ?? 0) + match[0].indexOf('('));
    for (const [i, arg] of args.entries()) {
      const literal = /^'([^']*)'$/.exec(arg)?.[1];
      if (positions(i) && literal !== undefined) fields.push(literal);
    }
  }
  return fields;
}

describe('job record codec (JOB_FIELDS) and the Lua scripts', () => {
  it('declares every field name a script reads or writes', () => {
    const used = new Map<string, string[]>();
    for (const { name, text } of luaFiles()) {
      for (const field of literalFields(text)) used.set(field, [...(used.get(field) ?? []), name]);
    }
    // The extraction itself works: fields named in more than one way are found.
    expect(used.get('status')).toContain('transition.lua');
    expect(used.get('webhook_status')).toEqual(
      expect.arrayContaining(['redeliver-webhook.lua', 'includes/webhook-outbox.lua']),
    );
    expect(used.get('webhook_delivered_at')).toContain('includes/webhook-outbox.lua');
    const undeclared = [...used].filter(([field]) => !JOB_FIELD_NAMES.has(field));
    expect(undeclared, 'fields used by scripts but not declared in JOB_FIELDS').toEqual([]);
  });
});
