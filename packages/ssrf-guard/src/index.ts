export * from './address-policy.ts';
export * from './allowlist.ts';
export * from './safe-fetch.ts';
