export * from '@infer/model-repository';
export * from './inference-protocol.ts';
export * from './inference-runner.ts';
export * from './micro-batcher.ts';
export * from './model-server.ts';
export * from './model-version.ts';
export * from './postprocess.ts';
export * from './preprocess.ts';
