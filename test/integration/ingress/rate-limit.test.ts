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

  it('admits a minute\'s allowance at once, then one request per interval, and tells how long to wait', async () => {
    const limit = createIngressRateLimit({ redis, keys: keySpace(prefix), perMinute: 120 });
    const burst = [];
    for (let i = 0; i < 120; i += 1) burst.push(await limit.take('key-a'));
    expect(burst.every((decision) => decision.admitted)).toBe(true);
    expect(burst.map((decision) => decision.remaining).slice(-2)).toEqual([1, 0]);

    const refused = await limit.take('key-a');
    expect(refused.admitted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(500); // the emission interval: 60 s / 120
    expect((await limit.take('key-b')).admitted).toBe(true);

    await sleep(refused.retryAfterMs + 20);
    expect((await limit.take('key-a')).admitted).toBe(true);
    expect((await limit.take('key-a')).admitted).toBe(false);
  });

  it('lets the key expire once the allowance is whole again', async () => {
    const limit = createIngressRateLimit({ redis, keys: keySpace(prefix), perMinute: 600 });
    await limit.take('key-c');
    const ttl = await redis.pttl(keySpace(prefix).ingressRate('key-c'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
  });
});
