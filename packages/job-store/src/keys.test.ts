import { slotOfKey } from '@infer/redis';
import { describe, expect, it } from 'vitest';
import { redisKeys, STORE_SHARD_TAGS, STORE_SHARDS, storeShardOf, storeShardOfKey } from './keys.ts';

describe('the sharded key layout', () => {
  const keys = redisKeys('infer');

  it('puts each shard tag in its own sixteenth of the slots, so equal-range primaries share them evenly', () => {
    expect(STORE_SHARD_TAGS).toHaveLength(STORE_SHARDS);
    for (const [shard, tag] of STORE_SHARD_TAGS.entries()) {
      expect(Math.floor(slotOfKey(`{${tag}}`) / 1024), tag).toBe(shard);
    }
    // Three primaries split 0-5460, 5461-10922, 10923-16383 (redis-cli --cluster create): 5, 6 and 5 shards.
    const owners = STORE_SHARD_TAGS.map((tag) => {
      const slot = slotOfKey(`{${tag}}`);
      return slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
    });
    expect([0, 1, 2].map((owner) => owners.filter((o) => o === owner).length).sort()).toEqual([5, 5, 6]);
  });

  it("keeps everything one job's lifecycle touches in the slot of its shard", () => {
    const id = '019adc1e-0f3a-7abc-8def-0123456789a7';
    expect(storeShardOf(id)).toBe(7);
    const shard = keys.shardOf(id);
    const slot = slotOfKey(keys.job(id));
    for (const key of [
      keys.image(id),
      shard.enqueueIntents,
      shard.deadlines,
      shard.jobIndex('key:alice'),
      shard.webhookOutbox,
      shard.jobEvents,
      shard.outboxWake,
    ]) {
      expect(slotOfKey(key), key).toBe(slot);
    }
    expect(shard.outboxWake).toBe(`${shard.webhookOutbox}-wake`); // webhook-outbox.lua derives it so
  });

  it('files the Idempotency-Key record in the shard its digest names, where the request creates its jobs', () => {
    const record = keys.idempotency('-', 'c0ffee3');
    expect(storeShardOfKey(record)).toBe(3);
    expect(slotOfKey(record)).toBe(slotOfKey(keys.shard(3).enqueueIntents));
    expect(storeShardOfKey('infer:ratelimit:x')).toBeUndefined();
  });

  it('gives keys used together one tag, and spreads the rest', () => {
    expect(slotOfKey(keys.file('abc'))).toBe(slotOfKey(keys.fileContent('abc')));
    expect(slotOfKey(keys.modelRouting('a'))).toBe(slotOfKey(keys.modelRouting('b')));
    expect(slotOfKey(keys.worker('w1'))).toBe(slotOfKey(keys.workers));
    expect(slotOfKey(keys.shadowBucket('m', 'v2', 1))).toBe(slotOfKey(keys.shadowCandidates('m')));
    expect(slotOfKey(keys.shadowLatency('m', 'v2'))).toBe(slotOfKey(keys.shadowCandidates('m')));
    // Not a job id: still one shard, from the key's hash.
    expect(storeShardOf('not-hex-x')).toBeGreaterThanOrEqual(0);
    expect(storeShardOf('not-hex-x')).toBeLessThan(STORE_SHARDS);
  });
});
