import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetOwners } from '../../../src/config/budget-owners.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { testRedisUrl } from '../../support/redis.js';
import { exhaustBudget, writeAgedEntry } from '../../support/stale-entry.js';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

describe('POST /v1/lookup with a stale cache entry and no budget', () => {
  let emulators: Emulators;
  let harness: IngressHarness;
  let redis: Redis;

  beforeAll(async () => {
    emulators = await startEmulators();
    harness = await startIngressHarness({ env: { ...emulators.env, MDE_RATE_LIMITS: '1/3600s', MDE_RATE_SAFETY_MS: '0', INGRESS_SYNC_TIMEOUT_MS: '200' } });
    redis = createRedis(testRedisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await harness.close();
    await emulators.close();
  });

  it('answers the stale IP from its entry, marked stale, and defers the uncached one', async () => {
    const keys = keySpace(harness.config.IPENRICH_PREFIX);
    const record = await writeAgedEntry(
      redis,
      keys,
      'default',
      { ip: '203.0.113.60', prevalence: 900, firstSeen: '2025-01-01T00:00:00Z', lastSeen: '2026-11-01T00:00:00Z', seen: true, lookBackHours: 720 },
      2 * 86_400_000,
    );
    await exhaustBudget(redis, keys, 'default', [{ max: 1, windowMs: 3_600_000 }], budgetOwners(harness.config));
    const answer = await harness.http('POST', '/v1/lookup', { body: { ips: ['203.0.113.60', '203.0.113.61'] } });
    expect(answer.status).toBe(200);
    const body = answer.json as { partial: boolean; ips: { ip: string; status: string; cached: boolean; stale?: boolean; fetchedAt?: string }[]; summary: string };
    expect(body.ips[0]).toMatchObject({ ip: '203.0.113.60', status: 'enriched', cached: true, stale: true, fetchedAt: record.fetchedAt });
    expect(body.ips[1]).toMatchObject({ ip: '203.0.113.61', status: 'deferred' });
    expect(body.ips[1]?.stale).toBeUndefined();
    // Nobody comes back for it at a wake-up slot, so it takes none from queued alerts.
    const owner = budgetOwners(harness.config)('default');
    expect(await redis.zcard(keys.limiterWakeSlots(owner))).toBe(0);
    expect(body.summary).toContain('203.0.113.60 (stale, fetched');
    expect(emulators.defender.counters.totalCalls).toBe(0);
  });
});
