import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from '../../src/redis/connection.js';
import { keySpace } from '../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../support/redis.js';

describe('real Redis harness', () => {
  const prefix = uniquePrefix('harness');
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  it('round-trips a value through a real redis-server under a unique prefix', async () => {
    const key = keySpace(prefix).cacheEntry('default', '192.0.2.1', 720);
    await redis.set(key, JSON.stringify({ ip: '192.0.2.1' }), 'PX', 10_000);
    expect(JSON.parse((await redis.get(key)) ?? 'null')).toEqual({ ip: '192.0.2.1' });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    const info = await redis.info('server');
    expect(info).toMatch(/redis_version:\d+/);
  });
});
