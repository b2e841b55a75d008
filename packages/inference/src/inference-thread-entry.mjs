// Worker-thread entry. Node >= 22.18 / 23.6 runs the TypeScript thread module itself
// (type stripping: what the production images do, with no loader); older Node loads it
// through tsx, a development dependency, whatever flags the parent was started with.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./inference.thread.ts');
