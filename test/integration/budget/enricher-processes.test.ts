import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnricher, type Enricher } from '../../../src/enrich/enricher.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { spawnChild } from './support/child-process.js';
import { createCountingClient, type CountingClient } from './support/counting-client.js';

const LOOKBACK = 48;
const CHILD = new URL('./children/enrich-once.ts', import.meta.url);

describe('budget shared across processes: coalescing and cooldown (real Redis)', () => {
  const prefix = uniquePrefix('enrich-procs');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  function parentEnricher(tenant: string, lockMs: number): { enricher: Enricher; client: CountingClient } {
    const client = createCountingClient({ redis, callsKey: `${prefix}:test-calls:${tenant}` });
    const enricher = createEnricher({
      redis,
      keys,
      windows: [{ max: 100, windowMs: 1_000 }],
      safetyMs: 10,
      ttls: { seenMs: 60_000, notSeenMs: 60_000, invalidMs: 60_000 },
      lockMs,
      clientFor: () => client,
    });
    return { enricher, client };
  }

  it('takes over from a fetcher that was SIGKILLed, only after its lock expires, with no duplicate call while it lived', async () => {
    const tenant = 'dying';
    const ip = '198.51.100.77';
    const lockMs = 1_000;
    const child = spawnChild(CHILD, [testRedisUrl(), prefix, tenant, ip, String(lockMs), 'hang']);
    await child.next('called');
    const { enricher, client } = parentEnricher(tenant, lockMs);
    try {
      const waiting = enricher.enrich(tenant, [ip], { lookBackHours: LOOKBACK });
      let settled = false;
      void waiting.then(() => (settled = true));
      // The child keeps extending its lock: for 2.5 lock lifetimes the parent waits without calling.
      await sleep(lockMs * 2.5);
      expect(settled).toBe(false);
      expect(await client.calls()).toEqual([ip]);

      child.process.kill('SIGKILL');
      expect(await child.exited).toBeNull();
      const killedAt = Date.now();
      const [result] = await waiting;
      expect(result).toMatchObject({ ip, status: 'enriched', cached: false });
      // Bounded: the lock outlives its holder by at most its TTL (plus scheduling slack).
      expect(Date.now() - killedAt).toBeLessThan(lockMs + 1_000);
      expect(await client.calls()).toEqual([ip, ip]);
    } finally {
      await enricher.close();
    }
  });

  it('a 429 in one process pauses every process until its Retry-After has passed', async () => {
    const tenant = 'throttled';
    const retryAfterMs = 1_200;
    const child = spawnChild(CHILD, [testRedisUrl(), prefix, tenant, '198.51.100.80', '2000', `throttle:${retryAfterMs}`]);
    const { result } = await child.next<{ result: { status: string; retryAt: number } }>('result');
    expect(await child.exited).toBe(0);
    expect(result.status).toBe('deferred');

    const { enricher, client } = parentEnricher(tenant, 2_000);
    try {
      const status = await enricher.limiterStatus(tenant);
      expect(status.cooldownMs).toBeGreaterThan(0);
      expect(status.cooldownMs).toBeLessThanOrEqual(retryAfterMs);
      // Another IP, another process: deferred to the cooldown's end, nothing called.
      const [deferred] = await enricher.enrich(tenant, ['198.51.100.81'], { lookBackHours: LOOKBACK, deadline: Date.now() + 100 });
      expect(deferred?.status).toBe('deferred');
      expect(deferred?.retryAt).toBeGreaterThanOrEqual(result.retryAt - 50);
      expect(await client.calls()).toEqual(['198.51.100.80']);
      // Without a deadline it waits for the cooldown, then calls.
      const [later] = await enricher.enrich(tenant, ['198.51.100.81'], { lookBackHours: LOOKBACK });
      expect(later?.status).toBe('enriched');
      expect(Date.now()).toBeGreaterThanOrEqual(result.retryAt - 50);
      expect(await client.calls()).toEqual(['198.51.100.80', '198.51.100.81']);
    } finally {
      await enricher.close();
    }
  });
});
