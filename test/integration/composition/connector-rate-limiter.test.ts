import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRateLimiter } from '../../../src/composition/connector-rate-limiter.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

describe('a connector\'s shared rate limit (on the budget limiter, in Redis)', () => {
  const prefix = uniquePrefix('connector-limit');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => {
    await cleanup();
  });

  it('admits up to the window per key, across limiter instances, and keeps keys and scopes apart', async () => {
    const windows = [{ max: 2, windowMs: 3_600_000 }];
    const a = connectorRateLimiter(redis, keys, 'sentinel:arm-writes', windows);
    const b = connectorRateLimiter(redis, keys, 'sentinel:arm-writes', windows);
    const first = await a.acquire('sub-1');
    const second = await b.acquire('sub-1');
    expect([first.admitted, second.admitted]).toEqual([true, true]);
    const third = await a.acquire('sub-1');
    expect(third.admitted).toBe(false);
    if (!third.admitted) expect(third.waitMs).toBeGreaterThan(0);
    // Another subscription, and another limit name, have budgets of their own.
    expect((await a.acquire('sub-2')).admitted).toBe(true);
    expect((await connectorRateLimiter(redis, keys, 'sentinel:other', windows).acquire('sub-1')).admitted).toBe(true);
    if (first.admitted) await a.settle('sub-1', first.ticket);
  });

  it('refuses every caller of a key during a cooldown', async () => {
    const limiter = connectorRateLimiter(redis, keys, 'webhook:test', [{ max: 100, windowMs: 60_000 }]);
    await limiter.cooldown('host', 3_600_000);
    const refused = await connectorRateLimiter(redis, keys, 'webhook:test', [{ max: 100, windowMs: 60_000 }]).acquire('host');
    expect(refused.admitted).toBe(false);
  });
});
