import { AggregatorRegistry, type Registry } from 'prom-client';
import type { CacheStats } from '../enrich/cache.js';
import type { LimiterStatus } from '../enrich/limiter.js';
import type { SharedSnapshot } from './read-shared-metrics.js';
import { SHARED_COUNTERS, SHARED_HISTOGRAMS } from './shared-metric-definitions.js';

/** Everything /metrics reads from Redis at scrape time. */
export interface RedisReadings {
  readonly shared: SharedSnapshot;
  /** Jobs per BullMQ state. */
  readonly queue: Readonly<Record<string, number>>;
  /** Age of the oldest job no worker has taken yet, per ready state (queue-age.ts). */
  readonly oldestAgeSeconds: Readonly<Record<string, number>>;
  readonly tenants: readonly {
    readonly tenant: string;
    readonly budget: LimiterStatus;
    readonly cache: CacheStats;
    /** Alerts pending and TENANT_MAX_PENDING_ALERTS (0: no limit). */
    readonly pending: { readonly alerts: number; readonly limit: number };
  }[];
}

interface ValueJson {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: ValueJson[];
}

const metric = (type: MetricJson['type'], name: string, help: string, values: ValueJson[]): MetricJson => ({ name, help, type, aggregator: 'sum', values });

/** `60s`, `3600s`, or `500ms`: the window as MDE_RATE_LIMITS writes it. */
function windowLabel(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`;
}

function sharedMetrics(shared: SharedSnapshot): MetricJson[] {
  const out: MetricJson[] = SHARED_COUNTERS.map((definition) =>
    metric('counter', definition.name, definition.help, (shared.counters.get(definition.name) ?? []).map((s) => ({ labels: { ...s.labels }, value: s.value }))),
  );
  for (const definition of SHARED_HISTOGRAMS) {
    const values: ValueJson[] = [];
    const bucket = `${definition.name}_bucket`;
    for (const sample of shared.histograms.get(definition.name) ?? []) {
      let cumulative = 0;
      definition.buckets.forEach((upper, i) => {
        cumulative += sample.buckets[i] ?? 0;
        values.push({ labels: { le: upper, ...sample.labels }, value: cumulative, metricName: bucket });
      });
      const count = cumulative + (sample.buckets[definition.buckets.length] ?? 0);
      values.push(
        { labels: { le: '+Inf', ...sample.labels }, value: count, metricName: bucket },
        { labels: { ...sample.labels }, value: sample.sum, metricName: `${definition.name}_sum` },
        { labels: { ...sample.labels }, value: count, metricName: `${definition.name}_count` },
      );
    }
    out.push(metric('histogram', definition.name, definition.help, values));
  }
  return out;
}

function budgetMetrics(tenants: RedisReadings['tenants']): MetricJson[] {
  const perWindow = (pick: (w: LimiterStatus['windows'][number]) => number): ValueJson[] =>
    tenants.flatMap(({ tenant, budget }) => budget.windows.map((w) => ({ labels: { tenant, window: windowLabel(w.windowMs) }, value: pick(w) })));
  const perTenant = (pick: (t: RedisReadings['tenants'][number]) => number): ValueJson[] => tenants.map((t) => ({ labels: { tenant: t.tenant }, value: pick(t) }));
  return [
    metric('gauge', 'ipenrich_budget_used', 'Defender calls admitted in the current window, per tenant and window (MDE_RATE_LIMITS).', perWindow((w) => w.used)),
    metric('gauge', 'ipenrich_budget_remaining', 'Defender calls still allowed in the current window, per tenant and window.', perWindow((w) => w.remaining)),
    metric('gauge', 'ipenrich_budget_limit', 'The configured maximum of each window, per tenant.', perWindow((w) => w.max)),
    metric('gauge', 'ipenrich_budget_cooldown_seconds', 'Shared cooldown left after a Defender 429, per tenant.', perTenant((t) => t.budget.cooldownMs / 1000)),
    metric('counter', 'ipenrich_budget_admitted_total', 'Defender calls the shared limiter ever admitted, per tenant.', perTenant((t) => t.budget.admittedTotal)),
    metric('gauge', 'ipenrich_api_calls_in_flight', 'Admitted Defender calls whose answer is not back yet, per tenant.', perTenant((t) => t.budget.inFlight)),
    metric('gauge', 'ipenrich_tenant_pending_alerts', 'Alerts pending (queued, deferred for budget, being retried), per tenant.', perTenant((t) => t.pending.alerts)),
    metric(
      'gauge',
      'ipenrich_tenant_pending_limit',
      'TENANT_MAX_PENDING_ALERTS per tenant: past it new alerts are refused (BACKLOG_FULL); absent when there is no limit.',
      tenants.filter((t) => t.pending.limit > 0).map((t) => ({ labels: { tenant: t.tenant }, value: t.pending.limit })),
    ),
    metric('counter', 'ipenrich_cache_hits_total', 'Enrichment cache hits, per tenant.', perTenant((t) => t.cache.hits)),
    metric('counter', 'ipenrich_cache_misses_total', 'Enrichment cache misses, per tenant.', perTenant((t) => t.cache.misses)),
    metric(
      'gauge',
      'ipenrich_cache_hit_ratio',
      'Cache hits / lookups since the counters began, per tenant (absent before the first lookup).',
      tenants.filter((t) => t.cache.hits + t.cache.misses > 0).map((t) => ({ labels: { tenant: t.tenant }, value: t.cache.hits / (t.cache.hits + t.cache.misses) })),
    ),
  ];
}

/**
 * The metrics read from Redis as a prom-client registry, built per scrape. prom-client cannot load
 * bucket counts into its own Histogram, but its cluster aggregation builds a registry from metrics
 * in JSON form: we hand it the readings in that form, as if one worker had reported them all.
 * Without readings (Redis unreachable) only `ipenrich_redis_up 0` is exposed.
 */
export function redisMetricsRegistry(readings: RedisReadings | undefined): Registry {
  const up = metric('gauge', 'ipenrich_redis_up', '1 when this scrape could read the queue and shared counters from Redis.', [{ labels: {}, value: readings ? 1 : 0 }]);
  if (!readings) return AggregatorRegistry.aggregate([[up]]);
  const queue = metric(
    'gauge',
    'ipenrich_queue_jobs',
    'Jobs in the alerts queue by state (failed = the dead-letter queue).',
    Object.entries(readings.queue).map(([state, value]) => ({ labels: { state }, value })),
  );
  const age = metric(
    'gauge',
    'ipenrich_queue_oldest_job_age_seconds',
    'Seconds since the oldest job not yet taken by a worker was enqueued, by ready state (waiting, prioritized); 0 when none.',
    Object.entries(readings.oldestAgeSeconds).map(([state, value]) => ({ labels: { state }, value })),
  );
  return AggregatorRegistry.aggregate([[up, queue, age, ...sharedMetrics(readings.shared), ...budgetMetrics(readings.tenants)]]);
}
