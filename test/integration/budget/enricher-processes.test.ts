import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnricher, type Enricher } from '../../../src/enrich/enricher.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { spawnChild } from './support/child-process.js';
import { createCountingClient, type CountingClient } from './support/counting-client.js';

const LOOKBACK = 48;
const CHILD = new URL('./children/enrich-once.ts', import.meta.url);

// Child processes start through tsx: on a loaded machine that alone can take many seconds (a hang guard, not a speed bound).
describe('budget shared across processes: coalescing and cooldown (real Redis)', { timeout: 120_000 }, () => {
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
    // The child extends its lock every lockMs / 3: a stall of two thirds of it would lose the lock.
    const lockMs = 3_000;
    const lockKey = keys.coalesceLock(tenant, ip, LOOKBACK);
    const child = spawnChild(CHILD, [testRedisUrl(), prefix, tenant, ip, String(lockMs), 'hang']);
    await child.next('called');
    const { enricher, client } = parentEnricher(tenant, lockMs);
    try {
      const waiting = enricher.enrich(tenant, [ip], { lookBackHours: LOOKBACK });
      let settled = false;
      void waiting.then(() => (settled = true));
      // The child keeps extending its lock (its PTTL goes up again): after four extensions, more than a
      // lock lifetime after it was taken, the parent still waits without calling.
      let extensions = 0;
      let left = await redis.pttl(lockKey);
      await waitFor(
        () => `four extensions of the child's lock (saw ${extensions})`,
        async () => {
          const now = await redis.pttl(lockKey);
          if (now > left) extensions += 1;
          left = now;
          return extensions >= 4;
        },
        60_000,
        20,
      );
      expect(settled).toBe(false);
      expect(await client.calls()).toEqual([ip]);

      child.process.kill('SIGKILL');
      expect(await child.exited).toBeNull();
      // Where the dead child's lock stood (Redis time, its TTL): nobody extends it any more.
      const reply = await redis.multi().time().pttl(lockKey).exec();
      const [seconds = '0', micros = '0'] = (reply?.[0]?.[1] as [string, string] | undefined) ?? [];
      const lockEnd = Number(seconds) * 1000 + Number(micros) / 1000 + Math.max(0, Number(reply?.[1]?.[1] ?? 0));
      const [result] = await waiting;
      expect(result).toMatchObject({ ip, status: 'enriched', cached: false });
      expect(await client.calls()).toEqual([ip, ip]);
      // The parent took over only once the lock had expired (Redis time of its call).
      expect(client.calledAt[0]).toBeGreaterThanOrEqual(lockEnd - 1);
    } finally {
      await enricher.close();
    }
  });

  it('a 429 in one process pauses every process until its Retry-After has passed', async () => {
    const tenant = 'throttled';
    // A minute: long enough that no delay between the steps below (a child exiting, a loaded machine) lets it run out.
    const retryAfterMs = 60_000;
    const child = spawnChild(CHILD, [testRedisUrl(), prefix, tenant, '198.51.100.80', '2000', `throttle:${retryAfterMs}`]);
    const { result } = await child.next<{ result: { status: string; retryAt: number } }>('result');
    expect(await child.exited).toBe(0);
    expect(result.status).toBe('deferred');

    const { enricher, client } = parentEnricher(tenant, 2_000);
    try {
      const status = await enricher.limiterStatus(tenant);
      expect(status.cooldownMs).toBeGreaterThan(retryAfterMs / 2);
      expect(status.cooldownMs).toBeLessThanOrEqual(retryAfterMs);
      // Another IP, another process: deferred to the cooldown's end, nothing called.
      const [deferred] = await enricher.enrich(tenant, ['198.51.100.81'], { lookBackHours: LOOKBACK, deadline: Date.now() + 100 });
      expect(deferred?.status).toBe('deferred');
      expect(deferred?.retryAt).toBeGreaterThanOrEqual(result.retryAt - 50);
      expect(await client.calls()).toEqual(['198.51.100.80']);
      // Instead of waiting the minute, the cooldown's end (Redis time) is brought to half a second from
      // now. Without a deadline the parent waits for it, then calls.
      const [seconds, micros] = await redis.time();
      const cooldownEnd = Math.ceil(Number(seconds) * 1000 + Number(micros) / 1000) + 500;
      await redis.set(keys.limiterCooldown(tenant), String(cooldownEnd), 'PX', 500);
      const [later] = await enricher.enrich(tenant, ['198.51.100.81'], { lookBackHours: LOOKBACK });
      expect(later?.status).toBe('enriched');
      expect(await client.calls()).toEqual(['198.51.100.80', '198.51.100.81']);
      expect(client.calledAt[0]).toBeGreaterThanOrEqual(cooldownEnd);
    } finally {
      await enricher.close();
    }
  });
});
