import v8 from 'node:v8';

/**
 * Let V8 weigh memory outside its heap (Buffers: uploads, image bytes, decoded pixels)
 * together with the heap when it decides to collect, instead of on its own.
 *
 * By default V8 starts a full mark-compact whenever external memory has grown 64 MB since
 * the last one, however little the heap itself grew. The API moves about 0.8 MB of Buffers
 * per 267 KB upload (socket chunks, the body, ioredis's command buffer), so it ran a full
 * GC every hundred or so uploads: nearly half its CPU, most of it on V8's helper threads.
 * Measured end to end with 1024x768 JPEGs at 4 clients: API 8.4 -> 5.3 CPU-ms per image,
 * worker 22.6 -> 17.4, 46 -> 60 images/s; RSS rose (API 247 -> 326 MiB, worker 314 -> 477):
 * memory is held longer between collections (docs/operations.md).
 *
 * `--external-memory-accounted-in-global-limit` is off by default in Node 24, and Node does
 * not take it in NODE_OPTIONS; V8 reads it each time it weighs external memory, so setting
 * it first thing in a process works as it would on the command line.
 *
 * Older V8s lack the flag, and V8 answers an unknown one with "Error: unrecognized flag" on
 * stderr (nothing a caller can catch): Node 20 (V8 11.3), 22 (12.4) and 23 (12.9) do not
 * know it, Node 24 (13.6) does. On those older releases, `npm start` on the machine's own
 * Node among them, it is left unset and V8 collects as it always has.
 */
export function weighExternalMemoryWithHeap(): void {
  if (v8KnowsExternalMemoryInGlobalLimit()) v8.setFlagsFromString('--external-memory-accounted-in-global-limit');
}

/** The first V8 that a Node.js release ships with the flag (Node 24.0's). */
const FLAG_SINCE_V8: readonly [number, number] = [13, 6];

export function v8KnowsExternalMemoryInGlobalLimit(v8Version: string = process.versions.v8): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number);
  return major > FLAG_SINCE_V8[0] || (major === FLAG_SINCE_V8[0] && minor >= FLAG_SINCE_V8[1]);
}
