import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnricher, type Enricher, type EnricherDeps } from '../../../src/enrich/enricher.js';
import type { RateWindow } from '../../../src/enrich/rate-windows.js';
import { IpenrichError } from '../../../src/errors.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { createCountingClient, type Behaviour, type CountingClient } from './support/counting-client.js';

const LOOKBACK = 48;
const TTLS = { seenMs: 60_000, notSeenMs: 30_000, invalidMs: 45_000 };
const MAX_STALE_MS = 600_000;
/** The budget is spent after one call, for a minute of Redis time: the test's own clock never reaches it. */
const EXHAUSTIBLE: RateWindow[] = [{ max: 1, windowMs: 60_000 }];
const AMPLE: RateWindow[] = [{ max: 100, windowMs: 1_000 }];

describe('stale entries: answered when the budget cannot refetch them in time (real Redis)', () => {
  const prefix = uniquePrefix('stale');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let seq = 0;
  const opened: { enricher: Enricher; connection: Redis }[] = [];

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterEach(async () => {
    for (const { enricher, connection } of opened.splice(0)) {
      await enricher.close();
      await connection.quit();
    }
  });
  afterAll(async () => cleanup());

  /** An enricher whose clock the test moves (`advance`): freshness follows it, the budget stays on Redis time. */
  function setup(options: { windows: RateWindow[]; behaviour?: (ip: string) => Behaviour; overrides?: Partial<EnricherDeps> }): {
    tenant: string;
    enricher: Enricher;
    client: CountingClient;
    now: () => number;
    advance: (ms: number) => void;
  } {
    const tenant = `t${(seq += 1)}`;
    let offset = 0;
    const now = (): number => Date.now() + offset;
    const connection = createRedis(testRedisUrl());
    const client = createCountingClient({ redis: connection, callsKey: `${prefix}:test-calls:${tenant}`, ...(options.behaviour ? { behaviour: options.behaviour } : {}) });
    const enricher = createEnricher({
      redis: connection,
      keys,
      windows: options.windows,
      safetyMs: 10,
      ttls: TTLS,
      maxStaleMs: MAX_STALE_MS,
      lockMs: 2_000,
      clientFor: () => client,
      now,
      ...options.overrides,
    });
    opened.push({ enricher, connection });
    return { tenant, enricher, client, now, advance: (ms) => void (offset += ms) };
  }

  it('answers a fresh entry from the cache, unmarked, with when it was fetched', async () => {
    const { tenant, enricher, client, advance } = setup({ windows: EXHAUSTIBLE });
    const [fetched] = await enricher.enrich(tenant, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    advance(TTLS.seenMs - 1_000);
    const [hit] = await enricher.enrich(tenant, ['192.0.2.1'], { lookBackHours: LOOKBACK, deadline: Date.now() });
    expect(hit).toMatchObject({ status: 'enriched', cached: true, fetchedAt: fetched?.record?.fetchedAt });
    expect(hit?.stale).toBeUndefined();
    expect(await client.calls()).toHaveLength(1);
    // Redis keeps it for its TTL and the time it may be served stale.
    expect(await redis.pttl(keys.cacheEntry(tenant, '192.0.2.1', LOOKBACK))).toBeGreaterThan(TTLS.seenMs);
  });

  it('answers a stale entry at once when the budget is exhausted, without a call or a wake-up slot; a miss beside it is deferred', async () => {
    const { tenant, enricher, client, now, advance } = setup({ windows: EXHAUSTIBLE });
    const [fetched] = await enricher.enrich(tenant, ['192.0.2.2'], { lookBackHours: LOOKBACK });
    advance(TTLS.seenMs + 1_000);
    const results = await enricher.enrich(tenant, ['192.0.2.2', '192.0.2.3'], { lookBackHours: LOOKBACK, deadline: now() + 200 });
    expect(results[0]).toMatchObject({ status: 'enriched', cached: true, stale: true, fetchedAt: fetched?.record?.fetchedAt, record: fetched?.record });
    expect(results[1]).toMatchObject({ status: 'deferred', cached: false });
    expect(await client.calls()).toEqual(['192.0.2.2']);
    // Nobody waits for the stale IP's refetch, so it takes no wake-up slot from real misses.
    expect(await redis.zscore(keys.limiterWakeSlots(tenant), `${tenant}|192.0.2.2|${LOOKBACK}`)).toBeNull();
    expect(await redis.zscore(keys.limiterWakeSlots(tenant), `${tenant}|192.0.2.3|${LOOKBACK}`)).not.toBeNull();
    // A caller without a deadline (the lookup command) gets the stale answer too instead of waiting.
    const [undated] = await enricher.enrich(tenant, ['192.0.2.2'], { lookBackHours: LOOKBACK });
    expect(undated).toMatchObject({ status: 'enriched', cached: true, stale: true });
    expect(await client.calls()).toHaveLength(1);
  });

  it('a caller that does not come back (POST /v1/lookup) takes no wake-up slot: a queued alert asking next is not pushed behind its deferred IPs', async () => {
    const { tenant, enricher, now } = setup({ windows: EXHAUSTIBLE });
    await enricher.enrich(tenant, ['192.0.2.40'], { lookBackHours: LOOKBACK }); // spends the budget
    const lookedUp = ['192.0.2.41', '192.0.2.42', '192.0.2.43'];
    const deferred = await enricher.enrich(tenant, lookedUp, { lookBackHours: LOOKBACK, deadline: now(), wakeSlots: false });
    expect(deferred.map((result) => result.status)).toEqual(['deferred', 'deferred', 'deferred']);
    for (const ip of lookedUp) expect(await redis.zscore(keys.limiterWakeSlots(tenant), `${tenant}|${ip}|${LOOKBACK}`)).toBeNull();
    // The alert's IP gets the first slot, the one the lookup's IPs would have taken before it.
    const [queued] = await enricher.enrich(tenant, ['192.0.2.44'], { lookBackHours: LOOKBACK, deadline: now() });
    expect(queued?.status).toBe('deferred');
    expect(queued?.retryAt).toBeLessThanOrEqual(Math.max(...deferred.map((result) => result.retryAt ?? 0)));
    expect(await redis.zcard(keys.limiterWakeSlots(tenant))).toBe(1);
  });

  it('refetches a stale entry when the budget is there, and the entry is fresh again', async () => {
    const { tenant, enricher, client, now, advance } = setup({ windows: AMPLE });
    await enricher.enrich(tenant, ['192.0.2.4'], { lookBackHours: LOOKBACK });
    advance(TTLS.seenMs + 1_000);
    const [refetched] = await enricher.enrich(tenant, ['192.0.2.4'], { lookBackHours: LOOKBACK, deadline: now() + 5_000 });
    expect(refetched).toMatchObject({ status: 'enriched', cached: false });
    expect(refetched?.stale).toBeUndefined();
    expect(await client.calls()).toEqual(['192.0.2.4', '192.0.2.4']);
    const [again] = await enricher.enrich(tenant, ['192.0.2.4'], { lookBackHours: LOOKBACK, deadline: now() });
    expect(again).toMatchObject({ status: 'enriched', cached: true, fetchedAt: refetched?.record?.fetchedAt });
    expect(again?.stale).toBeUndefined();
    expect(await client.calls()).toHaveLength(2);
  });

  it('with CACHE_MAX_STALE_S=0, an entry past its TTL is a miss and is deferred as before', async () => {
    const { tenant, enricher, client, now, advance } = setup({ windows: EXHAUSTIBLE, overrides: { maxStaleMs: 0 } });
    await enricher.enrich(tenant, ['192.0.2.5'], { lookBackHours: LOOKBACK });
    expect(await redis.pttl(keys.cacheEntry(tenant, '192.0.2.5', LOOKBACK))).toBeLessThanOrEqual(TTLS.seenMs);
    advance(TTLS.seenMs + 1_000);
    const [result] = await enricher.enrich(tenant, ['192.0.2.5'], { lookBackHours: LOOKBACK, deadline: now() + 200 });
    expect(result).toMatchObject({ status: 'deferred', cached: false });
    expect(result?.stale).toBeUndefined();
    expect(await client.calls()).toHaveLength(1);
  });

  it('treats an entry past its stale allowance as a miss, even while Redis still holds it', async () => {
    const { tenant, enricher, now, advance } = setup({ windows: EXHAUSTIBLE });
    await enricher.enrich(tenant, ['192.0.2.6'], { lookBackHours: LOOKBACK });
    advance(TTLS.seenMs + MAX_STALE_MS + 1_000);
    const [result] = await enricher.enrich(tenant, ['192.0.2.6'], { lookBackHours: LOOKBACK, deadline: now() + 200 });
    expect(result?.status).toBe('deferred');
  });

  it('serves not-seen and invalid entries stale by the same rule, each after its own TTL', async () => {
    const invalid = new IpenrichError('MDE_BAD_REQUEST', 'InvalidIpAddress', { statusCode: 400 });
    const { tenant, enricher, client, now, advance } = setup({
      windows: [{ max: 3, windowMs: 60_000 }],
      behaviour: (ip) => (ip === '192.0.2.8' ? 'not_seen' : ip === '192.0.2.9' ? invalid : 'seen'),
    });
    const ips = ['192.0.2.7', '192.0.2.8', '192.0.2.9'];
    const first = await enricher.enrich(tenant, ips, { lookBackHours: LOOKBACK });
    expect(first.map((r) => r.status)).toEqual(['enriched', 'not_seen', 'invalid']);
    // Past the not-seen TTL (30 s) only.
    advance(40_000);
    const middle = await enricher.enrich(tenant, ips, { lookBackHours: LOOKBACK, deadline: now() + 200 });
    expect(middle.map((r) => [r.status, r.stale ?? false])).toEqual([
      ['enriched', false],
      ['not_seen', true],
      ['invalid', false],
    ]);
    expect(middle[1]?.fetchedAt).toBe(first[1]?.record?.fetchedAt);
    // Past every TTL.
    advance(30_000);
    const late = await enricher.enrich(tenant, ips, { lookBackHours: LOOKBACK, deadline: now() + 200 });
    expect(late.map((r) => [r.status, r.cached, r.stale ?? false])).toEqual([
      ['enriched', true, true],
      ['not_seen', true, true],
      ['invalid', true, true],
    ]);
    expect(late[2]).toMatchObject({ error: { code: 'MDE_BAD_REQUEST' }, fetchedAt: expect.any(String) as unknown });
    expect(await client.calls()).toHaveLength(3);
  });

  it('reads an entry written before stale serving (no fresh-until time) as fresh while Redis keeps it', async () => {
    const { tenant, enricher, client, now, advance } = setup({ windows: EXHAUSTIBLE });
    const record = { ip: '192.0.2.10', prevalence: 4, firstSeen: '2024-01-02T03:04:05Z', lastSeen: '2024-02-03T04:05:06Z', seen: true, lookBackHours: LOOKBACK, fetchedAt: '2026-01-01T00:00:00.000Z' };
    await redis.set(keys.cacheEntry(tenant, '192.0.2.10', LOOKBACK), JSON.stringify({ kind: 'record', record }), 'PX', TTLS.seenMs);
    advance(MAX_STALE_MS * 10);
    const [result] = await enricher.enrich(tenant, ['192.0.2.10'], { lookBackHours: LOOKBACK, deadline: now() + 200 });
    expect(result).toMatchObject({ status: 'enriched', cached: true, record });
    expect(result?.stale).toBeUndefined();
    expect(await client.calls()).toHaveLength(0);
  });
});
