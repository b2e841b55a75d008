#!/usr/bin/env node
// The `infer` command of an installed @infer/cli: runs the TypeScript entry through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
