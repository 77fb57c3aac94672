import { describe, expect, it } from 'vitest';
import { createEnricher } from '../../../src/enrich/enricher.js';
import { createSharedMetrics } from '../../../src/metrics/shared-metrics.js';
import { createRedis } from '../../../src/redis/connection.js';
import { testRedisUrl } from '../../support/redis.js';
import { useRedisSuite } from '../../support/redis-suite.js';
import { createCountingClient } from '../budget/support/counting-client.js';

describe('cache hit and miss counts in a process with shared metrics', () => {
  const { prefix, keys, redis } = useRedisSuite('cache-counts');

  it('are batched with the other counters: no command per lookup, all of them after a flush', async () => {
    const connection = createRedis(testRedisUrl());
    // A flush interval no test reaches: only the explicit flush writes.
    const metrics = createSharedMetrics({ redis: connection, keys, flushMs: 3_600_000 });
    const client = createCountingClient({ redis: connection, callsKey: `${prefix}:calls` });
    const enricher = createEnricher({
      redis: connection,
      keys,
      windows: [{ max: 100, windowMs: 1_000 }],
      safetyMs: 10,
      ttls: { seenMs: 60_000, notSeenMs: 30_000, invalidMs: 45_000 },
      lockMs: 2_000,
      clientFor: () => client,
      metrics,
    });
    try {
      await enricher.enrich('contoso', ['203.0.113.5', '198.51.100.9'], { lookBackHours: 48 });
      for (let i = 0; i < 5; i++) await enricher.enrich('contoso', ['203.0.113.5'], { lookBackHours: 48 });
      await enricher.enrich('fabrikam', ['203.0.113.5'], { lookBackHours: 48 });
      expect(await redis().exists(keys.cacheStats('contoso'), keys.cacheStats('fabrikam'))).toBe(0);

      await metrics.flush();
      expect(await enricher.cacheStats('contoso')).toEqual({ hits: 5, misses: 2, corrupt: 0 });
      expect(await enricher.cacheStats('fabrikam')).toEqual({ hits: 0, misses: 1, corrupt: 0 });
    } finally {
      await metrics.close();
      await enricher.close();
      await connection.quit();
    }
  });
});
