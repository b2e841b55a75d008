/** Deepest nesting of arrays and objects accepted anywhere in a JSON request body. */
export const MAX_JSON_DEPTH = 32;

/**
 * The path to the first value nested deeper than `maxDepth` (`['metadata', 'a', 'a', ...]`),
 * or undefined. Iterative on purpose: client input 10,000 levels deep would overflow the
 * stack of any recursive walk (JSON.stringify, a schema, a fingerprint) that came first.
 */
export function pathDeeperThan(value: unknown, maxDepth: number): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return path;
    const children: [string | number, unknown][] = Array.isArray(current)
      ? [...current.entries()]
      : Object.entries(current);
    for (const [key, item] of children) stack.push({ value: item, path: [...path, key] });
  }
  return undefined;
}

/**
 * The field to name for a too-deep path: down to the first key whose value is an object
 * (`images[0].metadata` for `images[0].metadata.a.a...`), else down to the last key
 * (`model` for `model[0][0]...`).
 */
export function fieldOfDeepPath(path: readonly (string | number)[]): string {
  let end = path.findIndex((part, i) => typeof part === 'string' && typeof path[i + 1] === 'string');
  if (end === -1) end = path.findLastIndex((part) => typeof part === 'string');
  return path
    .slice(0, end + 1)
    .reduce<string>(
      (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part),
      '',
    );
}
