import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEnricher, type Enricher } from '../../../src/enrich/enricher.js';
import { createRateLimiter } from '../../../src/enrich/limiter.js';
import { createPopularity, type Popularity } from '../../../src/enrich/popularity.js';
import type { RateWindow } from '../../../src/enrich/rate-windows.js';
import type { RefreshOutcome } from '../../../src/enrich/refresh-outcome.js';
import { startRefresher, type Refresher } from '../../../src/enrich/refresher.js';
import { createSpareBudget } from '../../../src/enrich/spare-budget.js';
import { createRedis } from '../../../src/redis/connection.js';
import { testRedisUrl } from '../../support/redis.js';
import { useRedisSuite } from '../../support/redis-suite.js';
import { createCountingClient, type CountingClient } from './support/counting-client.js';

const LOOKBACK = 48;
const TTLS = { seenMs: 60_000, notSeenMs: 60_000, invalidMs: 60_000 };
/** Due in the last 25 % of 60 s: from 45 s on. */
const AHEAD_PERCENT = 25;
const AMPLE: RateWindow[] = [{ max: 100, windowMs: 1_000 }];
const WAIT = { timeout: 10_000, interval: 10 };

/** One process's view: its enricher (with popularity), and a refresher it can start for some tenants. */
interface Process {
  readonly enricher: Enricher;
  readonly popularity: Popularity;
  /** Passes made by this process's refresher (each reads the popular keys once). */
  passes(): number;
  readonly outcomes: RefreshOutcome[];
  startRefresher(tenants: readonly string[], budgetPercent?: number): Refresher;
}

describe('refresh-ahead (real Redis)', () => {
  const suite = useRedisSuite('refresh');
  const { prefix, keys, tenant } = suite;
  const closers: (() => Promise<void>)[] = [];
  /** The hosts' clock, moved by the test: freshness follows it; the budget runs on Redis time. */
  let offset = 0;
  const now = (): number => Date.now() + offset;
  const advance = (ms: number): void => void (offset += ms);

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    offset = 0;
  });

  function process(windows: RateWindow[], client: CountingClient): Process {
    const connection = createRedis(testRedisUrl());
    const popularity = createPopularity({ redis: connection, keys, halfLifeMs: TTLS.seenMs, maxKeys: 1_000, counts: () => true, now });
    const common = { redis: connection, keys, windows, safetyMs: 10 };
    const enricher = createEnricher({ ...common, ttls: TTLS, maxStaleMs: 600_000, lockMs: 2_000, clientFor: () => client, now, popularity });
    closers.push(async () => {
      await enricher.close();
      await connection.quit();
    });
    let passes = 0;
    const outcomes: RefreshOutcome[] = [];
    const counted: Pick<Popularity, 'top'> = {
      // Requests reach Redis once per flush interval; here, before every pass reads them.
      top: async (name, count) => {
        passes += 1;
        await popularity.flush();
        return await popularity.top(name, count);
      },
    };
    return {
      enricher,
      popularity,
      passes: () => passes,
      outcomes,
      startRefresher(tenants, budgetPercent = 50) {
        const refresher = startRefresher({
          redis: connection,
          keys,
          enricher,
          spare: createSpareBudget({ ...common, inflightMs: 2_000 }),
          popularity: counted,
          tenants: tenants.map((name) => ({ name, budgetPercent, aheadPercent: AHEAD_PERCENT })),
          minPauseMs: 10,
          maxPauseMs: 100,
          failedBackoffMs: 60_000,
          leaseMs: 500,
          now,
          onRefresh: (_tenant, outcome) => outcomes.push(outcome),
        });
        closers.push(() => refresher.close(Date.now() + 5_000));
        return refresher;
      },
    };
  }

  function counting(name: string): CountingClient {
    return createCountingClient({ redis: suite.redis(), callsKey: `${prefix}:calls:${name}` });
  }

  /** Waits until the refresher has looked at what is due `more` times from now. */
  async function passesGo(proc: Process, more: number): Promise<void> {
    const target = proc.passes() + more;
    await vi.waitFor(() => expect(proc.passes()).toBeGreaterThanOrEqual(target), WAIT);
  }

  it('refetches a popular entry in the last part of its fresh life, before it goes stale; an entry not due is left alone', async () => {
    const name = tenant();
    const client = counting(name);
    const proc = process(AMPLE, client);
    const [first] = await proc.enricher.enrich(name, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    advance(50_000);
    await proc.enricher.enrich(name, ['192.0.2.2'], { lookBackHours: LOOKBACK });
    proc.startRefresher([name]);
    await vi.waitFor(async () => expect(await client.calls()).toHaveLength(3), WAIT);
    await passesGo(proc, 3);
    expect(await client.calls()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.1']);
    // Past its first fetch's TTL, the entry answers fresh, from the cache, with the refreshed data.
    advance(20_000);
    const [later] = await proc.enricher.enrich(name, ['192.0.2.1'], { lookBackHours: LOOKBACK, deadline: now() });
    expect(later).toMatchObject({ status: 'enriched', cached: true });
    expect(later?.stale).toBeUndefined();
    expect(Date.parse(later?.fetchedAt ?? '')).toBeGreaterThan(Date.parse(first?.fetchedAt ?? ''));
    expect(proc.outcomes).toEqual([{ kind: 'refreshed' }]);
  });

  it('refreshes the most popular due entry first and stops at the spare budget\'s ceiling', async () => {
    const name = tenant();
    const client = counting(name);
    // 50 % of 6: three calls a minute of Redis time; two go to the real misses below.
    const proc = process([{ max: 6, windowMs: 60_000 }], client);
    await proc.enricher.enrich(name, ['192.0.2.1', '192.0.2.2'], { lookBackHours: LOOKBACK });
    for (let i = 0; i < 3; i += 1) await proc.enricher.enrich(name, ['192.0.2.2'], { lookBackHours: LOOKBACK });
    advance(50_000);
    proc.startRefresher([name]);
    await vi.waitFor(async () => expect(await client.calls()).toHaveLength(3), WAIT);
    await passesGo(proc, 3);
    expect(await client.calls()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.2']);
    expect(proc.outcomes[0]).toEqual({ kind: 'refreshed' });
    expect(proc.outcomes.at(-1)).toMatchObject({ kind: 'no-budget', blockedBy: { max: 6, windowMs: 60_000 } });
    // The window's last three calls are still there for real misses.
    const misses = await proc.enricher.enrich(name, ['198.51.100.1', '198.51.100.2', '198.51.100.3'], { lookBackHours: LOOKBACK, deadline: now() });
    expect(misses.map((r) => r.status)).toEqual(['enriched', 'enriched', 'enriched']);
  });

  it('takes no budget while a starved real miss waits for its wake-up slot', async () => {
    const name = tenant();
    const client = counting(name);
    const proc = process(AMPLE, client);
    await proc.enricher.enrich(name, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    advance(50_000);
    const limiter = createRateLimiter({ redis: suite.redis(), keys, windows: AMPLE, safetyMs: 10 });
    await limiter.wakeSlot(name, Date.now() + 60_000, `198.51.100.9|${LOOKBACK}`);
    proc.startRefresher([name]);
    await vi.waitFor(() => expect(proc.outcomes.length).toBeGreaterThanOrEqual(3), WAIT);
    expect(proc.outcomes.every((o) => o.kind === 'no-budget' && o.blockedBy === 'miss-waiting')).toBe(true);
    expect(await client.calls()).toHaveLength(1);
    // The miss was served (its slot is gone): the spare budget is there again.
    await suite.redis().del(keys.limiterWakeSlots(name));
    await vi.waitFor(async () => expect(await client.calls()).toHaveLength(2), WAIT);
  });

  it('runs one refresher per tenant across processes; another takes over when it stops', async () => {
    const name = tenant();
    const client = counting(name);
    const [one, two] = [process(AMPLE, client), process(AMPLE, client)];
    await one.enricher.enrich(name, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    const first = one.startRefresher([name]);
    await passesGo(one, 2);
    two.startRefresher([name]);
    await passesGo(one, 5);
    expect(two.passes()).toBe(0);
    await first.close(Date.now() + 5_000);
    // Given up on close, not left to its TTL (500 ms here, about 2.5 minutes at production windows).
    expect(await suite.redis().pttl(keys.refreshLease(name))).toBeLessThanOrEqual(1);
    await passesGo(two, 2);
  });

  it('closes by its deadline while Redis does not answer, leaving the lease to expire', async () => {
    const name = tenant();
    const proc = process(AMPLE, counting(name));
    // Nothing listens there: every command waits for a connection that never comes (maxRetriesPerRequest: null).
    const unreachable = createRedis('redis://127.0.0.1:9');
    unreachable.on('error', () => undefined);
    const refresher = startRefresher({
      redis: unreachable,
      keys,
      enricher: proc.enricher,
      spare: createSpareBudget({ redis: unreachable, keys, windows: AMPLE, safetyMs: 10, inflightMs: 2_000 }),
      popularity: proc.popularity,
      tenants: [{ name, budgetPercent: 50, aheadPercent: AHEAD_PERCENT }],
      minPauseMs: 10,
      maxPauseMs: 100,
      failedBackoffMs: 60_000,
      leaseMs: 500,
    });
    // Without the deadline, close waited for the loop's lease command for as long as Redis stayed away.
    await expect(refresher.close(Date.now() + 200)).resolves.toBeUndefined();
    unreachable.disconnect();
  });

  it('keeps tenants apart: popularity and budget are each tenant\'s own', async () => {
    const [a, b] = [tenant(), tenant()];
    const client = counting(`${a}-${b}`);
    const proc = process(AMPLE, client);
    const quiet = createEnricher({ redis: suite.redis(), keys, windows: AMPLE, safetyMs: 10, ttls: TTLS, maxStaleMs: 600_000, lockMs: 2_000, clientFor: () => client, now });
    closers.push(() => quiet.close());
    await proc.enricher.enrich(a, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    // B has the same IP cached, but has never asked for it where popularity is counted.
    await quiet.enrich(b, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    advance(50_000);
    proc.startRefresher([a, b]);
    await vi.waitFor(async () => expect(await client.calls()).toHaveLength(3), WAIT);
    await passesGo(proc, 4);
    expect(await client.calls()).toHaveLength(3);
    const [forB] = await quiet.enrich(b, ['192.0.2.1'], { lookBackHours: LOOKBACK, deadline: now() });
    expect(forB).toMatchObject({ cached: true });
    const window = (name: string): Promise<number> => suite.redis().zcard(keys.limiterWindow(name, 1_000));
    expect([await window(a), await window(b)]).toEqual([2, 1]);
  });

  it('does not wait for a key another process is fetching, nor refetch one someone refreshed', async () => {
    const name = tenant();
    const client = counting(name);
    const proc = process(AMPLE, client);
    await proc.enricher.enrich(name, ['192.0.2.1'], { lookBackHours: LOOKBACK });
    const spare = createSpareBudget({ redis: suite.redis(), keys, windows: AMPLE, safetyMs: 10, inflightMs: 2_000 });
    const admit = () => spare.acquire(name, 50);
    // Fresh for 60 s: not due with a 15 s margin.
    expect(await proc.enricher.refresh(name, '192.0.2.1', LOOKBACK, admit, 15_000)).toEqual({ kind: 'fresh' });
    await suite.redis().set(keys.coalesceLock(name, '192.0.2.1', LOOKBACK), 'another-process', 'PX', 5_000);
    expect(await proc.enricher.refresh(name, '192.0.2.1', LOOKBACK, admit, 120_000)).toEqual({ kind: 'busy' });
    await suite.redis().del(keys.coalesceLock(name, '192.0.2.1', LOOKBACK));
    expect(await proc.enricher.refresh(name, '192.0.2.1', LOOKBACK, admit, 120_000)).toEqual({ kind: 'refreshed' });
    expect(await client.calls()).toHaveLength(2);
  });
});
