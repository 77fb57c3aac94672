import { describe, expect, it } from 'vitest';
import { createPopularity, type Popularity } from '../../../src/enrich/popularity.js';
import { useRedisSuite } from '../../support/redis-suite.js';

const HALF_LIFE_MS = 60_000;

describe('popularity of cache keys, per tenant (real Redis)', () => {
  const suite = useRedisSuite('popularity');
  const { keys, tenant } = suite;

  function popularity(options: { now: () => number; maxKeys?: number; counts?: (tenant: string) => boolean }): Popularity {
    return createPopularity({ redis: suite.redis(), keys, halfLifeMs: HALF_LIFE_MS, maxKeys: options.maxKeys ?? 100, counts: options.counts ?? (() => true), now: options.now });
  }


  it('ranks by decayed request count: three requests two half-lives ago count less than one now', async () => {
    let now = 1_700_000_000_000;
    const pop = popularity({ now: () => now });
    const name = tenant();
    for (let i = 0; i < 3; i += 1) pop.note(name, ['192.0.2.1'], 720);
    pop.note(name, ['192.0.2.2', '192.0.2.1'], 720);
    await pop.flush();
    expect((await pop.top(name, 10)).map((k) => k.ip)).toEqual(['192.0.2.1', '192.0.2.2']);
    now += 2 * HALF_LIFE_MS;
    pop.note(name, ['192.0.2.3', '192.0.2.3'], 720);
    pop.note(name, ['192.0.2.2'], 24);
    await pop.flush();
    const top = await pop.top(name, 10);
    // 4 × 2^-2 = 1 for .1 now, against 2 for .3: decay, not totals.
    expect(top.map((k) => [k.ip, k.lookBackHours])).toEqual([
      ['192.0.2.3', 720],
      ['192.0.2.1', 720],
      ['192.0.2.2', 24],
      ['192.0.2.2', 720],
    ]);
    expect(top[1]?.score ?? 0).toBeCloseTo((top[0]?.score ?? 0) / 2);
  });

  it('keeps the order across a rebase, many half-lives later', async () => {
    let now = 1_700_000_000_000;
    const pop = popularity({ now: () => now });
    const name = tenant();
    pop.note(name, ['192.0.2.1', '192.0.2.1', '192.0.2.2'], 720);
    await pop.flush();
    now += 45 * HALF_LIFE_MS;
    pop.note(name, ['192.0.2.3'], 720);
    await pop.flush();
    expect(Number(await suite.redis().get(keys.refreshPopularityBase(name)))).toBe(now);
    const top = await pop.top(name, 10);
    expect(top.map((k) => k.ip)).toEqual(['192.0.2.3', '192.0.2.1', '192.0.2.2']);
    expect(top[0]?.score).toBe(1);
    expect(top[1]?.score ?? 0).toBeCloseTo(2 * 2 ** -45);
  });

  it('stays bounded, dropping the least popular', async () => {
    const pop = popularity({ now: () => 1_700_000_000_000, maxKeys: 8 });
    const name = tenant();
    for (let i = 0; i < 3; i += 1) pop.note(name, ['198.51.100.1'], 720);
    pop.note(name, Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`), 720);
    await pop.flush();
    expect(await suite.redis().zcard(keys.refreshPopularity(name))).toBeLessThanOrEqual(8 + 1);
    expect((await pop.top(name, 1))[0]?.ip).toBe('198.51.100.1');
  });

  it('gathers the requests in memory and writes them in one call per tenant, after the flush interval', async () => {
    const pop = createPopularity({ redis: suite.redis(), keys, halfLifeMs: HALF_LIFE_MS, maxKeys: 100, counts: () => true, now: () => 1_700_000_000_000, flushMs: 3_600_000 });
    const name = tenant();
    for (let i = 0; i < 5; i += 1) pop.note(name, ['192.0.2.1', '192.0.2.2'], 720);
    pop.note(name, ['192.0.2.2'], 720);
    expect(await suite.redis().exists(keys.refreshPopularity(name))).toBe(0);
    await pop.flush();
    expect(await suite.redis().zrevrange(keys.refreshPopularity(name), 0, -1, 'WITHSCORES')).toEqual(['720|192.0.2.2', '6', '720|192.0.2.1', '5']);
  });

  it('counts each tenant in its own set, and only tenants that refresh ahead', async () => {
    const pop = popularity({ now: () => 1_700_000_000_000, counts: (name) => name !== 'off' });
    const [a, b] = [tenant(), tenant()];
    pop.note(a, ['192.0.2.1'], 720);
    pop.note(b, ['192.0.2.2'], 720);
    pop.note('off', ['192.0.2.3'], 720);
    await pop.flush();
    expect((await pop.top(a, 10)).map((k) => k.ip)).toEqual(['192.0.2.1']);
    expect((await pop.top(b, 10)).map((k) => k.ip)).toEqual(['192.0.2.2']);
    expect(await suite.redis().exists(keys.refreshPopularity('off'))).toBe(0);
  });
});
