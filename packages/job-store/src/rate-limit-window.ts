import type { RedisClient } from '@infer/redis';
import { type RedisKeys, redisKeys } from './keys.ts';
import { type ScriptCommands, scriptsOf } from './scripts/scripts.ts';

/**
 * A fixed-window request counter per principal (`redisKeys.rateLimit`), shared by every
 * API replica: INCR and PEXPIRE in one script (scripts/rate-limit-window.lua), so that a
 * crash between the two cannot leave a counter that never expires.
 */
export class RateLimitWindow {
  readonly keys: RedisKeys;
  readonly windowMs: number;
  private readonly scripts: ScriptCommands;

  constructor(redis: RedisClient, prefix: string | RedisKeys, windowMs: number) {
    this.keys = typeof prefix === 'string' ? redisKeys(prefix) : prefix;
    this.windowMs = windowMs;
    this.scripts = scriptsOf(redis);
  }

  /** Count one request of `principal`: its requests in the current window, and ms until the window resets. */
  async hit(principal: string): Promise<{ count: number; resetMs: number }> {
    const [count, resetMs] = await this.scripts.rateLimitWindow(this.keys.rateLimit(principal), String(this.windowMs));
    return { count, resetMs };
  }
}
