// Worker-thread entry: load the TypeScript thread module through tsx, whatever
// flags (or test runner) the parent process was started with.
import { register } from 'tsx/esm/api';

register();
await import('./inference.thread.ts');
