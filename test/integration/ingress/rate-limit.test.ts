import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngressRateLimit } from '../../../src/ingress/rate-limit.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

describe('per-caller rate limit (GCRA in Redis)', () => {
  const prefix = uniquePrefix('rate');
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });

  afterAll(async () => {
    await cleanup();
  });

  it('admits a minute\'s allowance at once, then refuses and tells how long to wait', async () => {
    // 10 a minute: one more every 6 s, far longer than the burst below takes even on a loaded machine.
    const limit = createIngressRateLimit({ redis, keys: keySpace(prefix), perMinute: 10 });
    const burst = [];
    for (let i = 0; i < 10; i += 1) burst.push(await limit.take('key-a'));
    expect(burst.every((decision) => decision.admitted)).toBe(true);
    expect(burst.map((decision) => decision.remaining).slice(-2)).toEqual([1, 0]);

    const refused = await limit.take('key-a');
    expect(refused.admitted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(6_000); // the emission interval: 60 s / 10
    expect((await limit.take('key-b')).admitted).toBe(true);
  });

  it('admits again after the wait it named, and refuses again once that allowance is used', async () => {
    const perMinute = 600;
    const limit = createIngressRateLimit({ redis, keys: keySpace(prefix), perMinute });
    // Back to back until refused: more than the allowance, whatever trickles back meanwhile.
    const firstRefusal = async (): Promise<{ admitted: number; retryAfterMs: number }> => {
      for (let admitted = 0; admitted <= 10 * perMinute; admitted += 1) {
        const decision = await limit.take('key-d');
        if (!decision.admitted) return { admitted, retryAfterMs: decision.retryAfterMs };
      }
      throw new Error(`no refusal in ${10 * perMinute + 1} requests back to back`);
    };
    const refused = await firstRefusal();
    expect(refused.admitted).toBeGreaterThanOrEqual(perMinute);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(100); // the emission interval: 60 s / 600

    // Waiting at least what it said is enough; waiting longer only adds allowance, which the next
    // back-to-back run uses up before it is refused again.
    await sleep(refused.retryAfterMs + 1);
    expect((await limit.take('key-d')).admitted).toBe(true);
    const again = await firstRefusal();
    expect(again.retryAfterMs).toBeGreaterThan(0);
    expect(again.retryAfterMs).toBeLessThanOrEqual(100);
  });

  it('lets the key expire once the allowance is whole again', async () => {
    // 6 a minute: the key lives one 10 s interval, far longer than it takes to read its TTL.
    const limit = createIngressRateLimit({ redis, keys: keySpace(prefix), perMinute: 6 });
    await limit.take('key-c');
    const ttl = await redis.pttl(keySpace(prefix).ingressRate('key-c'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });
});
