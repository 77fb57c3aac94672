import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { buildSharedParts, type SharedParts } from '../../../src/composition/shared-parts.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { writeEmulatorTenantsFile } from '../../../src/emulators/tenants-file.js';
import { createLogger } from '../../../src/log.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/**
 * Two tenants of ipenrich on one Defender credential (two business units of one customer): Defender
 * counts one budget for them, so the limiter must too, or together they overrun it.
 */
describe('tenants on one Defender credential share one budget', () => {
  const LIMIT = 3;
  let emulators: Emulators;
  let redis: Redis;
  let parts: SharedParts;

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { rateLimits: `${LIMIT}/60s` } });
    redis = createRedis(testRedisUrl());
    const config = loadConfig({
      ...emulators.env,
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: uniquePrefix('shared-budget'),
      // Both tenants of the file copy the one emulator credential.
      IPENRICH_CONFIG: writeEmulatorTenantsFile(['unit-a', 'unit-b'], emulators.env),
      MDE_RATE_LIMITS: `${LIMIT}/60s`,
      MDE_RATE_SAFETY_MS: '0',
    });
    parts = buildSharedParts(config, { logger: createLogger({ level: 'silent' }), redis });
  });
  afterAll(async () => {
    await parts.close();
    await redis.quit();
    await emulators.close();
  });

  it('spends the budget once across both tenants: no 429, the second tenant waits', async () => {
    const options = { lookBackHours: 24, deadline: Date.now() + 200 };
    const first = await parts.enricher.enrich('unit-a', ['198.51.100.61', '198.51.100.62', '198.51.100.63'], options);
    const second = await parts.enricher.enrich('unit-b', ['198.51.100.64', '198.51.100.65'], { ...options, deadline: Date.now() + 200 });

    expect(first.map((answer) => answer.status)).not.toContain('deferred');
    expect(second.map((answer) => answer.status)).toEqual(['deferred', 'deferred']);
    expect(emulators.defender.counters.totalCalls).toBe(LIMIT);
    expect(emulators.defender.counters.throttled).toBe(0);
  });
});
