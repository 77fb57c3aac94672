import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnricher, type Enricher } from '../../../src/enrich/enricher.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';
import { createCountingClient, type CountingClient } from './support/counting-client.js';

const LOOKBACK = 24;
const TTLS = { seenMs: 60_000, notSeenMs: 30_000, invalidMs: 45_000 };
const LOCAL_TTL_MS = 5_000;

/**
 * CACHE_LOCAL_TTL_MS: a fresh entry a process read answers again from its own copy, without Redis,
 * for a short while and never past its freshness; tenants keep their own entries.
 */
describe('the cache\'s copy in the process (real Redis, the test\'s clock)', () => {
  const prefix = uniquePrefix('local-cache');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let offset = 0;
  const now = (): number => Date.now() + offset;
  let client: CountingClient;
  let enricher: Enricher;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
    client = createCountingClient({ redis, callsKey: `${prefix}:test-calls` });
    enricher = createEnricher({ redis, keys, windows: [{ max: 100, windowMs: 1_000 }], safetyMs: 10, ttls: TTLS, localTtlMs: LOCAL_TTL_MS, lockMs: 2_000, clientFor: () => client, now });
  });
  afterAll(async () => {
    await enricher.close();
    await cleanup();
  });

  const enrich = async (tenant: string, ip: string) => {
    const begun = enricher.begin(tenant, [ip], LOOKBACK);
    const [answer] = await begun.finish({});
    return { inProcess: begun.answeredInProcess, answer };
  };
  const entryKey = (tenant: string, ip: string): string => keys.cacheEntry(tenant, ip, LOOKBACK);

  it('answers an IP read from Redis again without Redis, for CACHE_LOCAL_TTL_MS', async () => {
    offset = 0;
    expect(await enrich('a', '198.51.100.1')).toMatchObject({ inProcess: false, answer: { status: 'enriched', cached: false } });
    expect(await enrich('a', '198.51.100.1')).toMatchObject({ inProcess: false, answer: { cached: true } });
    // Gone from Redis, still answered here: the copy is what answered.
    await redis.del(entryKey('a', '198.51.100.1'));
    expect(await enrich('a', '198.51.100.1')).toMatchObject({ inProcess: true, answer: { status: 'enriched', cached: true } });
    offset = LOCAL_TTL_MS;
    expect(await enrich('a', '198.51.100.1')).toMatchObject({ inProcess: false, answer: { cached: false } });
    expect(await client.calls()).toEqual(['198.51.100.1', '198.51.100.1']);
  });

  it('never answers from the copy once the entry stops being fresh', async () => {
    offset = 0;
    await enrich('a', '198.51.100.2');
    expect((await enrich('a', '198.51.100.2')).answer?.cached).toBe(true);
    expect((await enrich('a', '198.51.100.2')).inProcess).toBe(true);
    // Fresh for TTLS.seenMs from the fetch: the copy's own LOCAL_TTL_MS would outlast that here.
    offset = TTLS.seenMs - 1_000;
    expect((await enrich('a', '198.51.100.2')).inProcess).toBe(false);
    offset = TTLS.seenMs + 1;
    expect(await enrich('a', '198.51.100.2')).toMatchObject({ inProcess: false, answer: { cached: false } });
  });

  it('keeps each tenant\'s entries its own', async () => {
    offset = 0;
    await enrich('a', '198.51.100.3');
    await enrich('a', '198.51.100.3');
    expect((await enrich('a', '198.51.100.3')).inProcess).toBe(true);
    expect(await enrich('b', '198.51.100.3')).toMatchObject({ inProcess: false, answer: { cached: false } });
  });
});
