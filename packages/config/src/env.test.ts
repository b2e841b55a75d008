import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env.ts';

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 8080,
      REDIS_URL: 'redis://127.0.0.1:6379',
      MODEL_REPOSITORY: './models',
      MAX_UPLOAD_BYTES: 10 * 1024 * 1024,
      LOG_LEVEL: 'info',
      EXECUTION_PROVIDERS: ['cpu'],
      WORKER_MODELS: [],
    });
  });

  it('parses numbers, lists and booleans', () => {
    const env = loadEnv({ PORT: '9000', EXECUTION_PROVIDERS: 'cuda, cpu', WORKER_MODELS: 'a,b', WARMUP: 'false' });
    expect(env).toMatchObject({
      PORT: 9000,
      EXECUTION_PROVIDERS: ['cuda', 'cpu'],
      WORKER_MODELS: ['a', 'b'],
      WARMUP: false,
    });
  });

  it('takes SSRF_ALLOWLIST entries with ports and refuses a malformed one at start-up, naming it', () => {
    expect(
      loadEnv({ SSRF_ALLOWLIST: '127.0.0.1:9000, [::1]:9000, hooks.internal:8443, 10.0.0.0/8:80' }).SSRF_ALLOWLIST,
    ).toEqual(['127.0.0.1:9000', '[::1]:9000', 'hooks.internal:8443', '10.0.0.0/8:80']);
    expect(() => loadEnv({ SSRF_ALLOWLIST: '127.0.0.1:99999' })).toThrow(
      /SSRF_ALLOWLIST="127.0.0.1:99999": SSRF allowlist entry "127.0.0.1:99999": port must be 1 to 65535/,
    );
    expect(() => loadEnv({ SSRF_ALLOWLIST: 'ok.internal,*.internal' })).toThrow(/"\*\.internal".*wildcards/);
  });

  it('treats empty strings as unset', () => {
    expect(loadEnv({ PORT: '' }).PORT).toBe(8080);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadEnv({ PORT: 'eighty', LOG_LEVEL: 'loud', REDIS_URL: 'http://x', EXECUTION_PROVIDERS: 'tpu' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT="eighty"', 'LOG_LEVEL="loud"', 'REDIS_URL="http://x"', 'EXECUTION_PROVIDERS="tpu"']) {
      expect(message).toContain(name);
    }
    expect(message.split('\n')).toHaveLength(1);
    expect((error as ConfigError).problems).toHaveLength(4);
  });
});
