/**
 * `name@version`: how one loaded model version is named inside a worker (its
 * session, its micro-batcher, its metrics). Model names and versions never hold
 * '@' (MODEL_NAME_PATTERN; versions are directory names of digits), so the split is exact.
 */
export const modelVersionKey = (name: string, version: string): string => `${name}@${version}`;

export function modelOfVersionKey(key: string): { name: string; version: string } {
  const at = key.indexOf('@');
  if (at < 0) throw new Error(`not a name@version key: ${key}`);
  return { name: key.slice(0, at), version: key.slice(at + 1) };
}
