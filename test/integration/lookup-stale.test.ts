import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../src/emulators/emulators.js';
import type { Redis } from '../../src/redis/connection.js';
import { keySpace } from '../../src/redis/keys.js';
import { spawnCli } from '../support/cli-process.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { exhaustBudget, writeAgedEntry } from '../support/stale-entry.js';

describe('lookup with a stale cache entry and no budget', () => {
  const prefix = uniquePrefix('lookup-stale');
  const keys = keySpace(prefix);
  let emulators: Emulators;
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    emulators = await startEmulators();
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => {
    await cleanup();
    await emulators.close();
  });

  it('answers at once from the entry, marked stale with when it was fetched, without calling Defender', async () => {
    const record = await writeAgedEntry(
      redis,
      keys,
      'default',
      { ip: '203.0.113.40', prevalence: 2, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-11-01T00:00:00Z', seen: true, lookBackHours: 720 },
      2 * 86_400_000,
    );
    await exhaustBudget(redis, keys, 'default', [{ max: 1, windowMs: 3_600_000 }]);
    const env = { ...emulators.env, REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix, MDE_RATE_LIMITS: '1/3600s', MDE_RATE_SAFETY_MS: '0', LOG_LEVEL: 'silent' };
    const run = spawnCli(['lookup', '203.0.113.40'], env);
    expect(await run.exited).toBe(0);
    expect(JSON.parse(run.stdout())).toEqual({ ...record, cached: true, stale: true });
    expect(emulators.defender.counters.totalCalls).toBe(0);
  }, 60_000);
});
