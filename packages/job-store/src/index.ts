export * from './deadlines.ts';
export * from './file-store.ts';
export * from './job-store.ts';
export * from './keys.ts';
export * from './lifecycle.ts';
export * from './result-cache.ts';
export { type ScriptCommands, scriptsOf } from './scripts/scripts.ts';
export * from './webhook-store.ts';
export * from './worker-registry.ts';
