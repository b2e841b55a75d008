/**
 * A small Dockerfile reader for the checks of test/deploy: instructions with line
 * continuations, comments, build arguments (global and per stage) and variable
 * substitution, and the arguments of FROM, ARG, ENV, COPY, EXPOSE, USER, HEALTHCHECK,
 * CMD and RUN. Enough for the repository's own Dockerfiles, not a full BuildKit parser
 * (no heredocs, no escape directive).
 */

export interface Instruction {
  keyword: string;
  /** Text after the keyword, continuation lines joined with a space. */
  args: string;
  line: number;
}

export interface CopyInstruction {
  from?: string;
  sources: string[];
  dest: string;
  line: number;
}

export interface Stage {
  name?: string;
  /** Base image after build-argument substitution. */
  image: string;
  platform?: string;
  args: Map<string, string | undefined>;
  env: Map<string, string>;
  copies: CopyInstruction[];
  runs: string[];
  expose: number[];
  user?: string;
  workdir?: string;
  /** `NONE`, or the command of HEALTHCHECK CMD (JSON or shell form, unparsed). */
  healthcheck?: string;
  cmd?: string[];
}

export interface Dockerfile {
  instructions: Instruction[];
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
  /** The stage `docker build` produces without --target. */
  final: Stage;
}

export function parseInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  let current: { parts: string[]; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment lines are dropped, also between continuation lines (as Docker does).
    if (trimmed.startsWith('#')) return;
    if (current === undefined && trimmed === '') return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1).trim() : trimmed;
    if (current === undefined) current = { parts: [], line: index + 1 };
    if (body !== '') current.parts.push(body);
    if (!continued) {
      const joined = current.parts.join(' ');
      const match = /^(\S+)\s*(.*)$/.exec(joined);
      if (match)
        instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '', line: current.line });
      current = undefined;
    }
  });
  if (current !== undefined) throw new Error(`unterminated line continuation at line ${current.line}`);
  return instructions;
}

/** Split shell-like words, honouring single and double quotes. */
export function words(text: string): string[] {
  const result: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) result.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${text}`);
  if (inWord) result.push(word);
  return result;
}

/** `${NAME}`, `${NAME:-default}` and `$NAME`, from the variables in scope. */
export function substitute(text: string, scope: ReadonlyMap<string, string | undefined>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, braced, fallback, bare) => {
      const name = (braced ?? bare) as string;
      const value = scope.get(name);
      return value !== undefined && value !== '' ? value : ((fallback as string | undefined) ?? '');
    },
  );
}

/** Leading `--name=value` flags of COPY/FROM/HEALTHCHECK, and the rest. */
function flags(parts: string[]): { flags: Map<string, string>; rest: string[] } {
  const found = new Map<string, string>();
  let index = 0;
  while (index < parts.length && (parts[index] as string).startsWith('--')) {
    const [name, ...value] = (parts[index] as string).slice(2).split('=');
    found.set(name as string, value.join('='));
    index++;
  }
  return { flags: found, rest: parts.slice(index) };
}

function jsonArray(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`not a JSON array of strings: ${text}`);
  }
  return parsed;
}

/** `A=1 B="two words"` (or the legacy `KEY value`) of ENV and ARG. */
function assignments(text: string): [string, string | undefined][] {
  const parts = words(text);
  if (parts.length >= 2 && !(parts[0] as string).includes('=')) {
    return [[parts[0] as string, parts.slice(1).join(' ')]];
  }
  return parts.map((part) => {
    const eq = part.indexOf('=');
    return eq === -1 ? [part, undefined] : [part.slice(0, eq), part.slice(eq + 1)];
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions = parseInstructions(text);
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const scopeOf = (s: Stage) => new Map<string, string | undefined>([...s.args, ...s.env]);

  for (const instruction of instructions) {
    const { keyword, args, line } = instruction;
    if (keyword === 'FROM') {
      const { flags: fromFlags, rest } = flags(words(args));
      const image = substitute(rest[0] ?? '', globalArgs);
      const name = rest[1]?.toUpperCase() === 'AS' ? rest[2] : undefined;
      const parent = stages.find((s) => s.name !== undefined && s.name === image);
      stage = {
        image,
        args: new Map(),
        env: new Map(parent?.env ?? []),
        copies: [],
        runs: [],
        expose: [],
        ...(name !== undefined ? { name } : {}),
        ...(fromFlags.has('platform') ? { platform: fromFlags.get('platform') as string } : {}),
      };
      stages.push(stage);
      continue;
    }
    if (keyword === 'ARG') {
      for (const [name, value] of assignments(args)) {
        if (stage === undefined) globalArgs.set(name, value);
        // Inside a stage an ARG without a value takes the global default.
        else stage.args.set(name, value !== undefined ? substitute(value, scopeOf(stage)) : globalArgs.get(name));
      }
      continue;
    }
    if (stage === undefined) throw new Error(`line ${line}: ${keyword} before the first FROM`);
    const scope = scopeOf(stage);
    switch (keyword) {
      case 'ENV':
        for (const [name, value] of assignments(args)) stage.env.set(name, substitute(value ?? '', scope));
        break;
      case 'COPY':
      case 'ADD': {
        const parts = jsonArray(args) ?? words(args);
        const { flags: copyFlags, rest } = flags(parts);
        if (rest.length < 2) throw new Error(`line ${line}: ${keyword} needs a source and a destination`);
        const resolved = rest.map((part) => substitute(part, scope));
        const from = copyFlags.get('from');
        stage.copies.push({
          sources: resolved.slice(0, -1),
          dest: resolved[resolved.length - 1] as string,
          line,
          ...(from !== undefined ? { from } : {}),
        });
        break;
      }
      case 'RUN':
        stage.runs.push(substitute(args, scope));
        break;
      case 'EXPOSE':
        for (const port of words(substitute(args, scope))) stage.expose.push(Number.parseInt(port, 10));
        break;
      case 'USER':
        stage.user = substitute(args.trim(), scope);
        break;
      case 'WORKDIR': {
        // Relative paths resolve against the previous WORKDIR, as Docker does.
        const dir = substitute(args.trim(), scope);
        stage.workdir = dir.startsWith('/') ? dir : `${stage.workdir ?? ''}/${dir}`;
        break;
      }
      case 'HEALTHCHECK': {
        if (args.trim().toUpperCase() === 'NONE') {
          stage.healthcheck = 'NONE';
          break;
        }
        const cmdAt = args.search(/(^|\s)CMD\s/);
        if (cmdAt === -1) throw new Error(`line ${line}: HEALTHCHECK without CMD`);
        stage.healthcheck = args
          .slice(cmdAt)
          .trim()
          .replace(/^CMD\s+/, '');
        break;
      }
      case 'CMD':
        stage.cmd = jsonArray(args) ?? ['/bin/sh', '-c', args];
        break;
      default:
        break;
    }
  }
  const final = stages[stages.length - 1];
  if (final === undefined) throw new Error('no FROM instruction');
  return { instructions, globalArgs, stages, final };
}

/** `node:20-slim` -> { repository: 'node', tag: '20-slim' }; digests are kept apart. */
export function splitImage(image: string): { repository: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@') as [string, string | undefined];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    repository: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}
