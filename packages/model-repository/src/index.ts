export * from './model-repository.ts';
