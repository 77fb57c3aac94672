import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnricherFromConfig } from '../../../src/composition/enricher-from-config.js';
import { createGraphHuntingClients } from '../../../src/composition/graph-hunting-clients.js';
import { buildDefenderParts, type DefenderParts } from '../../../src/composition/shared-parts.js';
import { loadConfig, type Config } from '../../../src/config/load.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import type { Enricher, IpEnrichment } from '../../../src/enrich/enricher.js';
import { createHuntingRoute, type HuntingRoute } from '../../../src/enrich/hunting/hunting-route.js';
import { createLogger } from '../../../src/log.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { readSharedMetrics } from '../../../src/metrics/read-shared-metrics.js';
import { createSharedMetrics, type SharedMetrics } from '../../../src/metrics/shared-metrics.js';
import { sourceCounts } from '../../../src/status/source-counts.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';

const ipsFrom = (start: number, count: number): string[] => Array.from({ length: count }, (_, i) => `10.${Math.floor((start + i) / 250)}.${(start + i) % 250}.7`);
const LOGGER = createLogger({ level: 'silent' });

/**
 * MDE_SOURCE=hunting and auto end to end: real Defender client and Graph client with Entra emulator
 * tokens, both emulators over one synthetic organization, real Redis for cache, coalescing and both budgets.
 */
describe('Graph advanced hunting as a second source', () => {
  const prefix = uniquePrefix('hunting');
  let emulators: Emulators;
  let cleanup: () => Promise<void>;
  let redis: Redis;
  let seq = 0;
  const opened: { enricher: Enricher; connection: Redis; parts: DefenderParts }[] = [];

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { rateLimits: '100/1s' }, graph: { rateLimits: '45/1s', cpuCycleMs: 60_000 } });
    ({ cleanup, redis } = await connectTestRedis(prefix));
  });
  afterEach(async () => {
    for (const { enricher, connection, parts } of opened.splice(0)) {
      await enricher.close();
      await connection.quit();
      await parts.close();
    }
    emulators.graph.setMode({ cpuQueriesPerCycle: Number.POSITIVE_INFINITY, serverErrorRate: 0 });
    emulators.graph.resetCounters();
    emulators.defender.resetCounters();
  });
  afterAll(async () => {
    await cleanup();
    await emulators.close();
  });

  /** A tenant of its own (fresh cache and budgets), and an enricher per call as another process would have. */
  type Open = (metrics?: SharedMetrics, now?: () => number) => { enricher: Enricher; route: HuntingRoute };
  function setup(settings: Record<string, string>): { tenant: string; config: Config; open: Open } {
    const tenant = `h${(seq += 1)}`;
    const config = loadConfig({
      ...emulators.env,
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: prefix,
      IPENRICH_DEFAULT_TENANT: tenant,
      MDE_RATE_SAFETY_MS: '10',
      GRAPH_HUNTING_CPU_CYCLE_S: '60',
      LOG_LEVEL: 'silent',
      ...settings,
    });
    const open: Open = (metrics, now) => {
      const connection = createRedis(testRedisUrl());
      const parts = buildDefenderParts(config, LOGGER);
      const route = createHuntingRoute({
        redis: connection,
        keys: keySpace(prefix),
        windows: config.GRAPH_HUNTING_LIMITS,
        safetyMs: 10,
        inflightMs: 60_000,
        cpuCycleMs: config.GRAPH_HUNTING_CPU_CYCLE_S * 1000,
        settingsOf: () => config.tenants[tenant] ?? config,
        clientFor: createGraphHuntingClients(config, parts),
        // Batches close by count, never by time: the test does not depend on how fast the machine is.
        lingerMs: 600_000,
        ...(metrics ? { metrics } : {}),
        ...(now ? { now } : {}),
      });
      const enricher = createEnricherFromConfig(config, connection, (name) => parts.defender.clientFor(name), LOGGER, metrics, route);
      opened.push({ enricher, connection, parts });
      return { enricher, route };
    };
    return { tenant, config, open };
  }

  const sources = (results: readonly IpEnrichment[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const result of results) {
      const key = `${result.record?.source ?? 'ipstats'}${result.cached ? '+cached' : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  it('MDE_SOURCE=hunting: 250 new IPs cost 3 queries of at most 100 IPs, agree with the IP stats API, and are cached with their source', async () => {
    const { tenant, config, open } = setup({ MDE_SOURCE: 'hunting', GRAPH_HUNTING_BATCH_SIZE: '100' });
    const { enricher } = open();
    const ips = ipsFrom(0, 250);
    const results = await enricher.enrich(tenant, ips, { lookBackHours: 720 });
    expect(emulators.graph.counters.ipsPerCall).toEqual([100, 100, 50]);
    expect(emulators.defender.counters.totalCalls).toBe(0);
    expect(sources(results)).toEqual({ hunting: 250 });
    expect(results.filter((r) => r.status === 'not_seen').length).toBeGreaterThan(0);

    // The same synthetic organization answers both APIs: spot-check against Defender directly.
    const parts = buildDefenderParts(config, LOGGER);
    try {
      for (const result of results.slice(0, 20)) {
        const direct = await parts.defender.clientFor(tenant).getIpStats({ ip: result.ip, lookBackHours: 720 });
        expect([result.record?.prevalence, result.record?.firstSeen, result.record?.lastSeen], result.ip).toEqual([direct.prevalence, direct.firstSeen, direct.lastSeen]);
      }
    } finally {
      await parts.close();
    }

    const again = await open().enricher.enrich(tenant, ips.slice(0, 10), { lookBackHours: 720 });
    expect(sources(again)).toEqual({ 'hunting+cached': 10 });
    expect(emulators.graph.counters.totalCalls).toBe(3);
  }, 120_000);

  it('coalesces per IP across processes: overlapping alerts at once ask Graph for each IP once', async () => {
    const { tenant, open } = setup({ MDE_SOURCE: 'hunting', GRAPH_HUNTING_BATCH_SIZE: '100' });
    const a = open();
    const b = open();
    const [first, second] = await Promise.all([
      a.enricher.enrich(tenant, ipsFrom(1000, 60), { lookBackHours: 720 }),
      b.enricher.enrich(tenant, ipsFrom(1030, 60), { lookBackHours: 720 }),
    ]);
    expect(first.every((r) => r.status === 'enriched' || r.status === 'not_seen')).toBe(true);
    expect(second.every((r) => r.status === 'enriched' || r.status === 'not_seen')).toBe(true);
    const asked = emulators.graph.counters.ipsPerCall.reduce((sum, n) => sum + n, 0);
    expect(asked).toBe(90);
    expect(emulators.graph.counters.distinctIps).toBe(90);
  }, 120_000);

  it('sends its batch without the IPs another process is fetching, and answers them once that process is done', async () => {
    const { tenant, open } = setup({ MDE_SOURCE: 'hunting', GRAPH_HUNTING_BATCH_SIZE: '100' });
    const keys = keySpace(prefix);
    const ips = ipsFrom(4000, 10);
    const held = ips[3] ?? '';
    // Another process holds one of the IPs; batches close by count only (lingerMs), so before the
    // fix this batch waited for that IP and that process's batch could wait for this one's: deadlock.
    await redis.set(keys.coalesceLock(tenant, held, 720), 'another-process', 'PX', 60_000);
    const answer = open().enricher.enrich(tenant, ips, { lookBackHours: 720 });
    await waitFor('the batch without the held IP', () => emulators.graph.counters.ipsPerCall.length === 1);
    expect(emulators.graph.counters.ipsPerCall).toEqual([9]);
    // The other process gives the IP up (its fetch was deferred): this one fetches it in a batch of its own.
    await redis.del(keys.coalesceLock(tenant, held, 720));
    await redis.publish(keys.coalesceChannel(tenant, held, 720), JSON.stringify({ kind: 'released', retryAt: Date.now() }));
    const results = await answer;
    expect(results.every((r) => r.record?.source === 'hunting')).toBe(true);
    expect(emulators.graph.counters.ipsPerCall).toEqual([9, 1]);
  }, 120_000);

  it('a CPU-quota 429 without Retry-After pauses hunting for the tenant in every process until the next cycle', async () => {
    const { tenant, open } = setup({ MDE_SOURCE: 'hunting' });
    emulators.graph.setMode({ cpuQueriesPerCycle: 0, cpuRetryAfter: false });
    // The route's clock reads half a cycle (30 s) before a boundary whenever the test runs: with the
    // wall clock, a run in a cycle's last second saw the pause end before the second process asked,
    // and a pause of about a whole cycle could not be told from one of the 60 s calls window.
    const skewMs = (Date.now() % 60_000) - 30_000;
    const now = (): number => Date.now() - skewMs;
    const started = now();
    const { enricher, route } = open(undefined, now);
    const first = await enricher.enrich(tenant, ipsFrom(2000, 5), { lookBackHours: 720, deadline: Date.now() + 60_000 });
    expect(first.map((r) => r.status)).toEqual(Array(5).fill('deferred'));
    expect(emulators.graph.counters.throttledCpu).toBe(1);
    const status = await route.limiterStatus(tenant);
    // Until the next 60 s boundary (the scaled 15-minute cycle), 30 s away: not the calls window.
    expect(status.cooldownMs).toBeGreaterThan(25_000);
    expect(status.cooldownMs).toBeLessThanOrEqual(30_000 + 10);
    const boundary = Math.ceil(started / 60_000) * 60_000;
    for (const result of first) expect(result.retryAt).toBeGreaterThanOrEqual(boundary);

    // Another process, other IPs: the shared cooldown answers without a query.
    const second = await open(undefined, now).enricher.enrich(tenant, ipsFrom(2100, 5), { lookBackHours: 720, deadline: Date.now() + 1_000 });
    expect(second.map((r) => r.status)).toEqual(Array(5).fill('deferred'));
    expect(emulators.graph.counters.totalCalls).toBe(1);
  }, 120_000);

  it('a 500 with an empty message fails the batch as HUNTING_UNAVAILABLE (retryable, never cached)', async () => {
    const { tenant, open } = setup({ MDE_SOURCE: 'hunting' });
    emulators.graph.respondNext({ status: 500, body: { error: { code: 'UnknownError', message: '' } } });
    const { enricher } = open();
    const ips = ipsFrom(3000, 4);
    const failed = await enricher.enrich(tenant, ips, { lookBackHours: 720 });
    expect(failed.map((r) => [r.status, r.error?.code, r.error?.retryable])).toEqual(Array(4).fill(['error', 'HUNTING_UNAVAILABLE', true]));
    const retried = await enricher.enrich(tenant, ips, { lookBackHours: 720 });
    expect(retried.every((r) => !r.cached && r.record?.source === 'hunting')).toBe(true);
    expect(emulators.graph.counters.totalCalls).toBe(2);
  }, 120_000);

  it('MDE_SOURCE=auto: IP stats while its budget answers in time, hunting for the rest, and straight to hunting for many new IPs; 0 x 429', async () => {
    const { tenant, open } = setup({ MDE_SOURCE: 'auto', MDE_RATE_LIMITS: '3/60s', GRAPH_HUNTING_AUTO_MIN_IPS: '20' });
    const { enricher } = open();
    const few = await enricher.enrich(tenant, ipsFrom(4000, 8), { lookBackHours: 720, deadline: Date.now() + 500 });
    expect(sources(few)).toEqual({ ipstats: 3, hunting: 5 });
    expect(emulators.defender.counters.totalCalls).toBe(3);
    expect(emulators.graph.counters.ipsPerCall).toEqual([5]);

    const many = await enricher.enrich(tenant, ipsFrom(5000, 30), { lookBackHours: 720, deadline: Date.now() + 500 });
    expect(sources(many)).toEqual({ hunting: 30 });
    expect(emulators.defender.counters.totalCalls).toBe(3);
    expect(emulators.defender.counters.throttled).toBe(0);
    expect(emulators.graph.counters.throttledCalls + emulators.graph.counters.throttledCpu).toBe(0);
  }, 120_000);

  it('counts calls, IPs per call and 429s per source in the shared counters behind status and /metrics', async () => {
    const { tenant, open } = setup({ MDE_SOURCE: 'auto', MDE_RATE_LIMITS: '2/60s', GRAPH_HUNTING_AUTO_MIN_IPS: '10', GRAPH_HUNTING_BATCH_SIZE: '100' });
    const metrics = createSharedMetrics({ redis, keys: keySpace(prefix), flushMs: 60_000 });
    try {
      const { enricher } = open(metrics);
      await enricher.enrich(tenant, ipsFrom(6000, 2), { lookBackHours: 720, deadline: Date.now() + 500 });
      await enricher.enrich(tenant, ipsFrom(6100, 150), { lookBackHours: 720, deadline: Date.now() + 500 });
      emulators.graph.setMode({ cpuQueriesPerCycle: 0 });
      await enricher.enrich(tenant, ipsFrom(6300, 12), { lookBackHours: 720, deadline: Date.now() + 500 });
      await metrics.flush();
      const counts = sourceCounts(await readSharedMetrics(redis, keySpace(prefix)), tenant);
      expect(counts).toEqual({ ipstats: { calls: 2, ips: 2, throttled: 0 }, hunting: { calls: 3, ips: 162, throttled: 1 } });
    } finally {
      await metrics.close();
    }
  }, 120_000);
});
