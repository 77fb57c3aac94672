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

  it('remembers at most maxRemembered answers, dropping the oldest: one callback URL per alert does not grow it for good', async () => {
    const clock = 5_000;
    const worker = createRedisDisabledEndpoints(redis, key, { cacheMs: 1_000, now: () => clock, maxRemembered: 2 });
    const operator = createRedisDisabledEndpoints(redis, key, { cacheMs: 1_000, now: () => clock });
    const callbacks = [1, 2, 3].map((run) => new URL(`https://hooks.example.com/runs/${run}/callback?sig=s${run}`));
    for (const callback of callbacks) expect(await worker.isDisabled(callback)).toBe(false);
    const note = { endpoint: 'https://hooks.example.com/runs', status: 410, at: new Date(clock).toISOString() };
    for (const callback of callbacks) await operator.disable(callback, note);
    // Within cacheMs: the first answer was dropped to make room, so Redis is asked again; the last is still remembered.
    expect(await worker.isDisabled(callbacks[0] as URL)).toBe(true);
    expect(await worker.isDisabled(callbacks[2] as URL)).toBe(false);
    for (const callback of callbacks) await operator.enable(callback);
  });
});
