import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDisabledEndpoints } from '../../../connectors/webhook/index.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

describe('disabled webhook endpoints, shared through Redis and remembered briefly', () => {
  const prefix = uniquePrefix('disabled');
  const key = keySpace(prefix).disabledEndpoints();
  const url = new URL('https://hooks.example.com/ipenrich?token=abc');
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  it("sees another worker's change once its remembered answer is older than cacheMs, and its own at once", async () => {
    let clock = 1_000;
    const worker = createRedisDisabledEndpoints(redis, key, { cacheMs: 1_000, now: () => clock });
    const operator = createRedisDisabledEndpoints(redis, key, { cacheMs: 1_000, now: () => clock });

    expect(await worker.isDisabled(url)).toBe(false);
    await operator.disable(url, { endpoint: 'https://hooks.example.com/ipenrich', status: 410, at: new Date(clock).toISOString() });
    expect(await operator.isDisabled(url)).toBe(true);
    expect(await worker.isDisabled(url)).toBe(false); // remembered
    clock += 1_001;
    expect(await worker.isDisabled(url)).toBe(true);

    await worker.enable(url);
    expect(await worker.isDisabled(url)).toBe(false);
    expect(await redis.hlen(key)).toBe(0);
  });
});
