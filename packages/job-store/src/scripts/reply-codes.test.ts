import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCRIPT_REPLY } from './reply-codes.ts';

const SCRIPTS = new URL('./', import.meta.url);

describe('SCRIPT_REPLY and the Lua scripts', () => {
  it('names every numeric reply a script returns, with the number it stands for', () => {
    const returns: { script: string; line: string; value: number; name: string | undefined }[] = [];
    for (const script of readdirSync(SCRIPTS, { recursive: true, encoding: 'utf8' })) {
      if (!script.endsWith('.lua')) continue;
      for (const line of readFileSync(new URL(script, SCRIPTS), 'utf8').split('\n')) {
        // `return 1`, `return {2}`, `return {0, current}`, or a Redis call answering the code.
        const code = /\breturn \{?(\d+)\b/.exec(line) ?? /\breturn redis\.call\('(?:DEL|EXPIRE)'/.exec(line);
        if (!code) continue;
        const name = /-- SCRIPT_REPLY\.(\w+)$/.exec(line)?.[1];
        returns.push({ script, line: line.trim(), value: Number(code[1] ?? SCRIPT_REPLY.applied), name });
      }
    }
    expect(returns.map((r) => r.script)).toEqual(
      expect.arrayContaining(['create-jobs.lua', 'transition.lua', 'redeliver-webhook.lua', 'renew-claim.lua']),
    );
    const wrong = returns.filter(
      ({ name, value }) => name === undefined || SCRIPT_REPLY[name as keyof typeof SCRIPT_REPLY] !== value,
    );
    expect(wrong, 'returns without a SCRIPT_REPLY comment, or with one of another value').toEqual([]);
  });
});
