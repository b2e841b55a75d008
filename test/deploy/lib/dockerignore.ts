/**
 * .dockerignore matching as the Docker CLI does it: patterns relative to the context root,
 * `*` and `?` within one path segment, `**` across segments, `!` re-includes, the last
 * matching pattern wins, and a pattern that matches a directory excludes everything in it.
 */

interface Rule {
  negate: boolean;
  regex: RegExp;
}

function toRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` matches everything.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerignore(text: string): Rule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = (negate ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, regex: toRegex(pattern.replace(/^\.\//, '')) };
    });
}

/** Whether `relativePath` (from the context root, `/`-separated) is left out of the build context. */
export function isIgnored(rules: readonly Rule[], relativePath: string): boolean {
  const segments = relativePath
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '')
    .split('/');
  // A path is excluded when it or one of its parent directories is (and not re-included after).
  let ignored = false;
  for (let depth = 1; depth <= segments.length; depth++) {
    const prefix = segments.slice(0, depth).join('/');
    for (const rule of rules) if (rule.regex.test(prefix)) ignored = !rule.negate;
  }
  return ignored;
}
