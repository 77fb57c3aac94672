import { describe, expect, it } from 'vitest';
import { redisMetricsRegistry } from '../../../src/metrics/redis-metrics-registry.js';
import { bucketIndex, histogramField, JOB_LATENCY, labelField } from '../../../src/metrics/shared-metric-definitions.js';

describe('shared metric definitions', () => {
  it('puts an observation in the first bucket whose bound holds it, or +Inf', () => {
    const buckets = JOB_LATENCY.buckets;
    expect(bucketIndex(buckets, 0)).toBe(0);
    expect(bucketIndex(buckets, 0.05)).toBe(0);
    expect(bucketIndex(buckets, 0.050001)).toBe(1);
    expect(bucketIndex(buckets, 3600)).toBe(buckets.length - 1);
    expect(bucketIndex(buckets, 3600.5)).toBe(buckets.length);
  });

  it('encodes label values so that no value can be confused with another, nor with a histogram part', () => {
    expect(labelField(['a,b', 'c'])).not.toBe(labelField(['a', 'b,c']));
    expect(histogramField(['x\nb1'], 'sum').split('\n')).toHaveLength(2);
  });
});

describe('the registry built from Redis readings', () => {
  it('exposes budget per tenant and window, queue depth and age, cache ratio and shared counters', async () => {
    const registry = redisMetricsRegistry({
      shared: {
        counters: new Map([['ipenrich_api_calls_total', [{ labels: { tenant: 'contoso', outcome: 'seen' }, value: 7 }]]]),
        histograms: new Map(),
      },
      queue: { waiting: 3, delayed: 1 },
      oldestAgeSeconds: { waiting: 12.5, prioritized: 0 },
      tenants: [
        {
          tenant: 'contoso',
          budget: { at: 0, nextFreeInMs: 0, cooldownMs: 2_500, admittedTotal: 42, inFlight: 2, windows: [{ max: 100, windowMs: 60_000, used: 30, remaining: 70, freeInMs: 0 }, { max: 1500, windowMs: 3_600_000, used: 42, remaining: 1458, freeInMs: 0 }] },
          cache: { hits: 3, misses: 1, corrupt: 0 },
          pending: { alerts: 1234, limit: 20_000 },
        },
        { tenant: 'fabrikam', budget: { at: 0, nextFreeInMs: 0, cooldownMs: 0, admittedTotal: 0, inFlight: 0, windows: [{ max: 100, windowMs: 60_000, used: 0, remaining: 100, freeInMs: 0 }] }, cache: { hits: 0, misses: 0, corrupt: 0 }, pending: { alerts: 0, limit: 0 } },
      ],
    });
    const lines = (await registry.metrics()).split('\n');
    for (const expected of [
      'ipenrich_redis_up 1',
      'ipenrich_queue_jobs{state="waiting"} 3',
      'ipenrich_queue_oldest_job_age_seconds{state="waiting"} 12.5',
      'ipenrich_queue_oldest_job_age_seconds{state="prioritized"} 0',
      'ipenrich_budget_used{tenant="contoso",window="60s"} 30',
      'ipenrich_budget_remaining{tenant="contoso",window="3600s"} 1458',
      'ipenrich_budget_limit{tenant="fabrikam",window="60s"} 100',
      'ipenrich_budget_cooldown_seconds{tenant="contoso"} 2.5',
      'ipenrich_budget_admitted_total{tenant="contoso"} 42',
      'ipenrich_api_calls_in_flight{tenant="contoso"} 2',
      'ipenrich_cache_hit_ratio{tenant="contoso"} 0.75',
      'ipenrich_api_calls_total{tenant="contoso",outcome="seen"} 7',
      'ipenrich_tenant_pending_alerts{tenant="contoso"} 1234',
      'ipenrich_tenant_pending_alerts{tenant="fabrikam"} 0',
      'ipenrich_tenant_pending_limit{tenant="contoso"} 20000',
    ]) expect(lines).toContain(expected);
    // No limit, no limit series.
    expect(lines.some((line) => line.startsWith('ipenrich_tenant_pending_limit{tenant="fabrikam"}'))).toBe(false);
    // No ratio before the first lookup: 0/0 is not a hit ratio of 0.
    expect(lines.some((line) => line.startsWith('ipenrich_cache_hit_ratio{tenant="fabrikam"}'))).toBe(false);
  });

  it('says only that Redis is down when there are no readings', async () => {
    const text = await redisMetricsRegistry(undefined).metrics();
    expect(text.split('\n').filter((line) => !line.startsWith('#') && line.length > 0)).toEqual(['ipenrich_redis_up 0']);
  });
});
