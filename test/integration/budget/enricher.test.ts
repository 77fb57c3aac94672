import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateWindow } from '../../../src/enrich/rate-windows.js';
import { createEnricher, type Enricher, type EnricherDeps } from '../../../src/enrich/enricher.js';
import { IpenrichError, type ErrorCode } from '../../../src/errors.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, testRedisUrl, uniquePrefix, watchKey } from '../../support/redis.js';
import { createCountingClient, type Behaviour, type CountingClient } from './support/counting-client.js';

const LOOKBACK = 48;
const TTLS = { seenMs: 60_000, notSeenMs: 30_000, invalidMs: 45_000 };

describe('enricher: cache → coalesce → limiter → client (real Redis)', () => {
  const prefix = uniquePrefix('enricher');
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

  interface Setup {
    tenant: string;
    client: CountingClient;
    /** A new enricher on its own connections, as another process would have. */
    instance: (overrides?: Partial<EnricherDeps>, behaviour?: (ip: string) => Behaviour, delayMs?: number) => { enricher: Enricher; client: CountingClient };
  }

  function setup(
    options: { windows?: RateWindow[]; behaviour?: (ip: string) => Behaviour; delayMs?: number; gate?: Promise<void>; overrides?: Partial<EnricherDeps> } = {},
  ): Setup & { enricher: Enricher } {
    const tenant = `t${(seq += 1)}`;
    const callsKey = `${prefix}:test-calls:${tenant}`;
    const instance: Setup['instance'] = (overrides = {}, behaviour = options.behaviour, delayMs = options.delayMs) => {
      const connection = createRedis(testRedisUrl());
      const client = createCountingClient({
        redis: connection,
        callsKey,
        ...(behaviour ? { behaviour } : {}),
        ...(delayMs === undefined ? {} : { delayMs }),
        ...(options.gate ? { gate: options.gate } : {}),
      });
      const enricher = createEnricher({
        redis: connection,
        keys,
        windows: options.windows ?? [{ max: 100, windowMs: 1_000 }],
        safetyMs: 10,
        ttls: TTLS,
        lockMs: 2_000,
        clientFor: () => client,
        ...options.overrides,
        ...overrides,
      });
      opened.push({ enricher, connection });
      return { enricher, client };
    };
    const first = instance();
    return { tenant, client: first.client, enricher: first.enricher, instance };
  }

  it('answers cached IPs from one lookup, fetches each distinct miss once, and reports bad input per IP', async () => {
    const { tenant, client, enricher } = setup({ behaviour: (ip) => (ip === '198.51.100.9' ? 'not_seen' : 'seen') });
    const first = await enricher.enrich(tenant, ['203.0.113.5', '2001:DB8::0:1', '203.0.113.5', '198.51.100.9', 'not-an-ip', '300.1.1.1'], {
      lookBackHours: LOOKBACK,
    });
    expect(first.map((r) => [r.ip, r.status, r.cached])).toEqual([
      ['203.0.113.5', 'enriched', false],
      ['2001:db8::1', 'enriched', false],
      ['203.0.113.5', 'enriched', false],
      ['198.51.100.9', 'not_seen', false],
      ['not-an-ip', 'invalid', false],
      ['300.1.1.1', 'invalid', false],
    ]);
    expect(first[4]?.error?.code).toBe('INVALID_IP');
    expect(first[0]?.record).toMatchObject({ ip: '203.0.113.5', seen: true, lookBackHours: LOOKBACK });
    expect((await client.calls()).sort()).toEqual(['198.51.100.9', '2001:db8::1', '203.0.113.5']);

    const second = await enricher.enrich(tenant, ['2001:db8::1', '198.51.100.9', '203.0.113.5'], { lookBackHours: LOOKBACK });
    expect(second.map((r) => [r.status, r.cached])).toEqual([
      ['enriched', true],
      ['not_seen', true],
      ['enriched', true],
    ]);
    expect(second[2]?.record).toEqual(first[0]?.record);
    expect(await client.calls()).toHaveLength(3);
    // A different look-back period is a different question.
    await enricher.enrich(tenant, ['203.0.113.5'], { lookBackHours: 24 });
    expect(await client.calls()).toHaveLength(4);
    expect(await enricher.cacheStats(tenant)).toEqual({ hits: 3, misses: 4, corrupt: 0 });
  });

  it('begun and never finished, a lookup spends no budget and counts nothing; finished, it answers as enrich does', async () => {
    const { tenant, client, enricher } = setup();
    await enricher.enrich(tenant, ['203.0.113.5'], { lookBackHours: LOOKBACK });
    const before = await enricher.cacheStats(tenant);
    expect(before).toEqual({ hits: 0, misses: 1, corrupt: 0 });

    // As a job whose record already holds its result: the lookup was sent, its answer is not used.
    enricher.begin(tenant, ['203.0.113.5', '198.51.100.9'], LOOKBACK);
    // Read on the enricher's connection after the lookup's answer: a count written then would show in the second read.
    await enricher.cacheStats(tenant);
    expect(await enricher.cacheStats(tenant)).toEqual(before);
    expect(await client.calls()).toEqual(['203.0.113.5']);

    const begun = enricher.begin(tenant, ['203.0.113.5', '198.51.100.9'], LOOKBACK);
    const results = await begun.finish({});
    expect(results.map((r) => [r.ip, r.status, r.cached])).toEqual([
      ['203.0.113.5', 'enriched', true],
      ['198.51.100.9', 'enriched', false],
    ]);
    expect(await client.calls()).toEqual(['203.0.113.5', '198.51.100.9']);
    expect(await enricher.cacheStats(tenant)).toEqual({ hits: 1, misses: 2, corrupt: 0 });
  });

  it('a begun lookup with a look-back out of range rejects when finished, without a command', async () => {
    const { tenant, enricher } = setup();
    await expect(enricher.begin(tenant, ['203.0.113.5'], 0).finish({})).rejects.toMatchObject({ code: 'USAGE' });
    expect(await enricher.cacheStats(tenant)).toEqual({ hits: 0, misses: 0, corrupt: 0 });
  });

  it('answers cached IPs while the budget is exhausted, and defers misses to wake-ups one budget slot apart from the time the limiter gives', async () => {
    const { tenant, client, enricher } = setup({ windows: [{ max: 2, windowMs: 60_000 }] });
    await enricher.enrich(tenant, ['192.0.2.1', '192.0.2.2'], { lookBackHours: LOOKBACK });
    const before = Date.now();
    const results = await enricher.enrich(tenant, ['192.0.2.1', '192.0.2.3', '192.0.2.2', '192.0.2.4'], {
      lookBackHours: LOOKBACK,
      deadline: before + 500,
    });
    const after = Date.now();
    expect(results.map((r) => [r.status, r.cached])).toEqual([
      ['enriched', true],
      ['deferred', false],
      ['enriched', true],
      ['deferred', false],
    ]);
    expect(await client.calls()).toHaveLength(2);
    const status = await enricher.limiterStatus(tenant);
    expect(status.windows[0]).toMatchObject({ used: 2, remaining: 0 });
    const [first, second] = [results[1]?.retryAt ?? 0, results[3]?.retryAt ?? 0].sort((a, b) => a - b);
    // The first is the limiter's answer: when the first admission leaves the 60 s window.
    expect(first).toBeGreaterThan(before + 50_000);
    expect(first).toBeLessThanOrEqual(after + status.nextFreeInMs + 50);
    // The next starved miss wakes one sustained-rate slot later (2 per 60 s: 30 s), not with the first.
    expect(second).toBe((first ?? 0) + 30_000);
    // Deferring left no lock behind: another caller is deferred at once too, not blocked on a lock.
    const again = await enricher.enrich(tenant, ['192.0.2.3'], { lookBackHours: LOOKBACK, deadline: Date.now() + 100 });
    expect(again[0]?.status).toBe('deferred');
    expect(await redis.exists(keys.coalesceLock(tenant, '192.0.2.3', LOOKBACK))).toBe(0);
  });

  it('waits for budget within the deadline instead of deferring', async () => {
    const { tenant, client, enricher } = setup({ windows: [{ max: 1, windowMs: 300 }] });
    const results = await enricher.enrich(tenant, ['192.0.2.10', '192.0.2.11'], { lookBackHours: LOOKBACK, deadline: Date.now() + 5_000 });
    expect(results.map((r) => r.status)).toEqual(['enriched', 'enriched']);
    expect(await client.calls()).toHaveLength(2);
  });

  it('caches seen, not-seen and invalid answers each with its own TTL', async () => {
    // Far apart, so reading them a little late (a loaded machine) cannot change how they compare.
    const ttls = { seenMs: 30_000, notSeenMs: 2_000, invalidMs: 15_000 };
    const { tenant, client, enricher } = setup({
      overrides: { ttls },
      behaviour: (ip) =>
        ip === '192.0.2.21' ? 'not_seen' : ip === '192.0.2.22' ? new IpenrichError('MDE_BAD_REQUEST', 'InvalidIpAddress', { statusCode: 400 }) : 'seen',
    });
    const ips = ['192.0.2.20', '192.0.2.21', '192.0.2.22'];
    const first = await enricher.enrich(tenant, ips, { lookBackHours: LOOKBACK });
    expect(first.map((r) => r.status)).toEqual(['enriched', 'not_seen', 'invalid']);
    expect(first[2]?.error).toMatchObject({ code: 'MDE_BAD_REQUEST', retryable: false });
    const ttl = (ip: string): Promise<number> => redis.pttl(keys.cacheEntry(tenant, ip, LOOKBACK));
    const [seen, notSeen, invalid] = [await ttl(ips[0] ?? ''), await ttl(ips[1] ?? ''), await ttl(ips[2] ?? '')];
    expect(seen).toBeGreaterThan(ttls.invalidMs);
    expect(seen).toBeLessThanOrEqual(ttls.seenMs);
    expect(notSeen).toBeGreaterThan(0);
    expect(notSeen).toBeLessThanOrEqual(ttls.notSeenMs);
    expect(invalid).toBeGreaterThan(ttls.notSeenMs);
    expect(invalid).toBeLessThanOrEqual(ttls.invalidMs);

    const cachedInvalid = await enricher.enrich(tenant, ['192.0.2.22'], { lookBackHours: LOOKBACK });
    expect(cachedInvalid[0]).toMatchObject({ status: 'invalid', cached: true, error: { code: 'MDE_BAD_REQUEST' } });
    // Only the not-seen entry's TTL runs out (Redis says when), the others are still far from theirs.
    await waitFor('the not-seen entry to expire', async () => (await ttl(ips[1] ?? '')) === -2, 20_000, 20);
    const later = await enricher.enrich(tenant, ips, { lookBackHours: LOOKBACK });
    expect(later.map((r) => r.cached)).toEqual([true, false, true]);
    expect((await client.calls()).sort()).toEqual([...ips, '192.0.2.21'].sort());
  });

  const neverCached: [string, ErrorCode, number | undefined][] = [
    ['a 5xx', 'MDE_SERVER_ERROR', 503],
    ['a timeout', 'MDE_TIMEOUT', undefined],
    ['an unauthorized answer', 'MDE_UNAUTHORIZED', 401],
    ['a forbidden answer', 'MDE_FORBIDDEN', 403],
    ['a token failure', 'AUTH_FAILED', undefined],
    ['a network failure', 'MDE_NETWORK', undefined],
  ];
  it.each(neverCached)('never caches %s: reports the error and asks again next time', async (_label, code, statusCode) => {
    const { tenant, client, enricher } = setup({
      behaviour: () => new IpenrichError(code, `simulated ${code}`, statusCode === undefined ? {} : { statusCode }),
    });
    const first = await enricher.enrich(tenant, ['192.0.2.30'], { lookBackHours: LOOKBACK });
    expect(first[0]).toMatchObject({ status: 'error', cached: false, error: { code } });
    expect(await redis.exists(keys.cacheEntry(tenant, '192.0.2.30', LOOKBACK))).toBe(0);
    await enricher.enrich(tenant, ['192.0.2.30'], { lookBackHours: LOOKBACK });
    expect(await client.calls()).toEqual(['192.0.2.30', '192.0.2.30']);
  });

  it('never caches a 429: sets the shared cooldown, defers, and calls again only after it', async () => {
    // A minute: long enough that no delay between the steps below lets it run out unnoticed.
    const retryAfterMs = 60_000;
    let throttled = true;
    const { tenant, client, enricher } = setup({
      behaviour: () => (throttled ? new IpenrichError('MDE_THROTTLED', 'TooManyRequests', { statusCode: 429, retryAfterMs }) : 'seen'),
    });
    const start = Date.now();
    const first = await enricher.enrich(tenant, ['192.0.2.40'], { lookBackHours: LOOKBACK, deadline: start + 200 });
    expect(first[0]).toMatchObject({ status: 'deferred', cached: false });
    expect(first[0]?.retryAt).toBeGreaterThanOrEqual(start + retryAfterMs);
    expect(await redis.exists(keys.cacheEntry(tenant, '192.0.2.40', LOOKBACK))).toBe(0);
    const status = await enricher.limiterStatus(tenant);
    expect(status.cooldownMs).toBeGreaterThan(retryAfterMs / 2);
    // cooldown-1.lua rounds the cooldown's end up to a whole ms, so read within the same ms it shows one more.
    expect(status.cooldownMs).toBeLessThanOrEqual(retryAfterMs + 1);
    expect(status.nextFreeInMs).toBe(status.cooldownMs);

    // Other IPs wait for the cooldown too, without calling.
    const other = await enricher.enrich(tenant, ['192.0.2.41'], { lookBackHours: LOOKBACK, deadline: Date.now() + 100 });
    expect(other[0]?.status).toBe('deferred');
    expect(await client.calls()).toEqual(['192.0.2.40']);

    // Instead of waiting the minute, the cooldown's end (Redis time, where every process reads it) is
    // brought to half a second from now. Without a deadline the enricher must wait for it, then call.
    const [seconds, micros] = await redis.time();
    const cooldownEnd = Math.ceil(Number(seconds) * 1000 + Number(micros) / 1000) + 500;
    await redis.set(keys.limiterCooldown(tenant), String(cooldownEnd), 'PX', 500);
    throttled = false;
    const after = await enricher.enrich(tenant, ['192.0.2.40'], { lookBackHours: LOOKBACK });
    expect(after[0]?.status).toBe('enriched');
    expect(await client.calls()).toEqual(['192.0.2.40', '192.0.2.40']);
    // The second call started, on Redis's clock, no earlier than the cooldown's end.
    expect(client.calledAt[1]).toBeGreaterThanOrEqual(cooldownEnd);
  });

  it('treats a corrupt or foreign cache entry as a miss, never a crash', async () => {
    const { tenant, client, enricher } = setup();
    await redis.set(keys.cacheEntry(tenant, '192.0.2.50', LOOKBACK), '{not json', 'PX', 60_000);
    await redis.set(keys.cacheEntry(tenant, '192.0.2.51', LOOKBACK), JSON.stringify({ kind: 'record', record: { ip: '192.0.2.51' } }), 'PX', 60_000);
    const foreign = { kind: 'invalid', ip: '192.0.2.99', lookBackHours: LOOKBACK, message: 'x', fetchedAt: new Date().toISOString() };
    await redis.set(keys.cacheEntry(tenant, '192.0.2.52', LOOKBACK), JSON.stringify(foreign), 'PX', 60_000);
    const results = await enricher.enrich(tenant, ['192.0.2.50', '192.0.2.51', '192.0.2.52'], { lookBackHours: LOOKBACK });
    expect(results.map((r) => [r.status, r.cached])).toEqual([
      ['enriched', false],
      ['enriched', false],
      ['enriched', false],
    ]);
    expect(await client.calls()).toHaveLength(3);
    expect(await enricher.cacheStats(tenant)).toEqual({ hits: 0, misses: 3, corrupt: 3 });
    // The fetch replaced the corrupt values.
    expect((await enricher.enrich(tenant, ['192.0.2.50'], { lookBackHours: LOOKBACK }))[0]?.cached).toBe(true);
  });

  it('coalesces concurrent misses across independent instances into one call per IP', async () => {
    const { tenant, client, instance } = setup({ delayMs: 150 });
    const ips = ['192.0.2.60', '192.0.2.61', '192.0.2.62', '192.0.2.63'];
    const instances = [instance(), instance(), instance()];
    const results = await Promise.all(instances.map(({ enricher }) => enricher.enrich(tenant, ips, { lookBackHours: LOOKBACK })));
    for (const batch of results) expect(batch.map((r) => r.status)).toEqual(['enriched', 'enriched', 'enriched', 'enriched']);
    expect((await client.calls()).sort()).toEqual(ips);
    // Everyone got the same record, fetched once.
    expect(new Set(results.map((batch) => batch[0]?.record?.fetchedAt)).size).toBe(1);
  });

  it('tells waiters at once when the fetch failed cleanly, instead of letting them wait for the lock', async () => {
    let answer = (): void => undefined;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    // A lock that outlives the test: only being told can release the waiter, never the lock's expiry.
    const { tenant, client, instance } = setup({
      overrides: { lockMs: 600_000 },
      gate,
      behaviour: () => new IpenrichError('MDE_SERVER_ERROR', 'InternalServerError', { statusCode: 500 }),
    });
    const lock = await watchKey(keys.coalesceLock(tenant, '192.0.2.70', LOOKBACK));
    try {
      const fetcher = instance();
      const waiter = instance();
      const fetching = fetcher.enricher.enrich(tenant, ['192.0.2.70'], { lookBackHours: LOOKBACK });
      await waitFor('the fetcher to call', async () => (await client.calls()).length === 1, 20_000, 10);
      const waiting = waiter.enricher.enrich(tenant, ['192.0.2.70'], { lookBackHours: LOOKBACK });
      // The fetcher's SET took the lock; the next SET on it is the waiter finding it held.
      await waitFor('the waiter to find the key locked', () => lock.count('set') >= 2, 20_000, 5);
      answer();
      const waited = await waiting;
      expect(waited[0]).toMatchObject({ status: 'error', error: { code: 'MDE_SERVER_ERROR', retryable: true } });
      expect((await fetching)[0]?.status).toBe('error');
      expect(await client.calls()).toEqual(['192.0.2.70']);
      expect(lock.count('set')).toBe(2);
    } finally {
      await lock.stop();
    }
  });

  it('defers a waiter whose deadline passes while another instance is still fetching, without calling', async () => {
    let answer = (): void => undefined;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    // The fetcher answers only after the waiter has given up: its whole deadline passes mid-fetch.
    const { tenant, client, instance } = setup({ gate });
    const fetcher = instance();
    const waiter = instance();
    const fetching = fetcher.enricher.enrich(tenant, ['192.0.2.80'], { lookBackHours: LOOKBACK });
    await waitFor('the fetcher to call', async () => (await client.calls()).length === 1, 20_000, 10);
    const waited = await waiter.enricher.enrich(tenant, ['192.0.2.80'], { lookBackHours: LOOKBACK, deadline: Date.now() + 150 });
    answer();
    expect(waited[0]).toMatchObject({ status: 'deferred', cached: false });
    expect((await fetching)[0]?.status).toBe('enriched');
    expect(await client.calls()).toEqual(['192.0.2.80']);
    expect((await waiter.enricher.enrich(tenant, ['192.0.2.80'], { lookBackHours: LOOKBACK }))[0]?.cached).toBe(true);
  });

  it('on abort, rejects and releases the key so another caller fetches it at once', async () => {
    let firstCall = true;
    const { tenant, client, instance } = setup({
      overrides: { lockMs: 10_000 },
      behaviour: () => {
        const planned = firstCall ? 'hang' : 'seen';
        firstCall = false;
        return planned;
      },
    });
    const hanging = instance();
    const controller = new AbortController();
    const aborted = hanging.enricher.enrich(tenant, ['192.0.2.90'], { lookBackHours: LOOKBACK, signal: controller.signal });
    await waitFor('the hanging call', async () => (await client.calls()).length === 1, 20_000, 10);
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');
    expect(await redis.exists(keys.coalesceLock(tenant, '192.0.2.90', LOOKBACK))).toBe(0);
    const next = await instance().enricher.enrich(tenant, ['192.0.2.90'], { lookBackHours: LOOKBACK, deadline: Date.now() + 1_000 });
    expect(next[0]?.status).toBe('enriched');
    expect(await client.calls()).toEqual(['192.0.2.90', '192.0.2.90']);
  });
});
