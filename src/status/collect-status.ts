import { budgetOwners } from '../config/budget-owners.js';
import { createEnrichmentCache } from '../enrich/cache.js';
import { createRateLimiter, type LimiterStatus } from '../enrich/limiter.js';
import { Cluster } from 'ioredis';
import type { Redis } from '../redis/connection.js';
import type { Runtime } from '../composition/runtime.js';
import { PendingJobs } from '../queue/pending-jobs.js';
import { SinkHealthBoard, type SinkHealth } from '../state/sink-health.js';
import { budgetEtaMs } from './budget-eta.js';
import { CACHE_REFRESHES } from '../metrics/shared-metric-definitions.js';
import { counterTotal, sourceCounts } from './source-counts.js';
import { huntingBudgetOf } from '../composition/hunting-route-from-config.js';
import { deliveredSinkNames } from '../composition/sinks-from-config.js';
import type { MdeSource } from '../enrich/hunting/sources.js';
import { readSharedMetrics } from '../metrics/read-shared-metrics.js';
import { readDisabledEndpoints, type DisabledNote } from '../../connectors/webhook/index.js';

interface TenantStatus {
  readonly tenant: string;
  readonly budget: LimiterStatus;
  /** MDE_SOURCE, and the hunting budget when the tenant uses hunting (docs/hunting.md). */
  readonly source: MdeSource;
  readonly huntingBudget?: LimiterStatus;
  /** Calls, IPs and 429s per source (the shared counters of /metrics). */
  readonly sources: ReturnType<typeof sourceCounts>;
  readonly cache: { readonly entries: number; readonly hits: number; readonly misses: number; readonly hitRatio: number | null };
  /** Refresh-ahead since the counters began (every worker): entries refreshed, and passes the spare budget refused. */
  readonly refreshes?: { readonly refreshed: number; readonly noBudget: number };
  /** The sinks this tenant's alerts go to: its own SINKS, or the top level's it inherits (as workers build them). */
  readonly sinks: readonly string[];
  /**
   * The other tenants that spend the same Defender budget (same credential scope, MDE_BUDGET_SCOPE):
   * their budget figures are this one's, counted once.
   */
  readonly budgetSharedWith: readonly string[];
  /** The last outcomes of this tenant's deliveries, per sink that has any (`callback` included). */
  readonly sinkHealth: Record<string, SinkHealth>;
  /** Alerts pending (queued, deferred for budget, being retried) and TENANT_MAX_PENDING_ALERTS (0: no limit). */
  readonly pending: { readonly alerts: number; readonly limit: number };
}

export interface StatusReport {
  readonly at: string;
  readonly queue: Record<string, number>;
  /** Time the budget needs if every queued alert needs one new lookup (per tenant, longest). */
  readonly backlogEtaMs: number;
  readonly tenants: readonly TenantStatus[];
  readonly sinks: {
    /** Every sink some tenant delivers to (each tenant's own, and its health: `tenants[]`). */
    readonly configured: readonly string[];
    /** Webhook endpoints disabled after 410 Gone, per URL whichever tenant's. */
    readonly disabledEndpoints: number;
    /** Each of them: its credential-free URL, the status that disabled it and when (`ipenrich webhook-enable URL`). */
    readonly disabled: readonly DisabledNote[];
  };
}

const SCAN_LIMIT = 1_000_000;

/** Counts keys matching `pattern`; on a Redis Cluster every primary holds part of them. */
async function countKeys(redis: Redis, pattern: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let count = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0' && count < SCAN_LIMIT);
  }
  return count;
}

/** Everything `ipenrich status` shows, read from Redis (shared by every worker). */
export async function collectStatus(runtime: Runtime): Promise<StatusReport> {
  const { config, redis, keys, queue } = runtime;
  const limiter = createRateLimiter({ redis, keys, windows: config.MDE_RATE_LIMITS, safetyMs: config.MDE_RATE_SAFETY_MS, budgetOf: budgetOwners(config) });
  const cache = createEnrichmentCache({
    redis,
    keys,
    ttls: { seenMs: config.CACHE_TTL_SEEN_S * 1000, notSeenMs: config.CACHE_TTL_NOT_SEEN_S * 1000, invalidMs: config.CACHE_TTL_INVALID_S * 1000 },
  });
  const hunting = createRateLimiter({ redis, keys, windows: config.GRAPH_HUNTING_LIMITS, safetyMs: config.MDE_RATE_SAFETY_MS, budgetOf: huntingBudgetOf(config) });
  const shared = await readSharedMetrics(redis, keys);
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
  const health = new SinkHealthBoard(redis, keys);
  const pending = new PendingJobs(redis, keys);
  const tenants: TenantStatus[] = [];
  const refreshCount = (tenant: string, outcome: string): number =>
    counterTotal(shared, CACHE_REFRESHES.name, (labels) => labels.tenant === tenant && labels.outcome === outcome);
  const ownerOf = budgetOwners(config);
  const names = Object.keys(config.tenants);
  for (const [tenant, settings] of Object.entries(config.tenants)) {
    const stats = await cache.stats(tenant);
    const lookups = stats.hits + stats.misses;
    tenants.push({
      tenant,
      budget: await limiter.status(tenant),
      budgetSharedWith: names.filter((other) => other !== tenant && ownerOf(other) === ownerOf(tenant)),
      source: settings.MDE_SOURCE,
      ...(settings.MDE_SOURCE === 'ipstats' ? {} : { huntingBudget: await hunting.status(tenant) }),
      sources: sourceCounts(shared, tenant),
      cache: { entries: await countKeys(redis, keys.cacheEntryPattern(tenant)), hits: stats.hits, misses: stats.misses, hitRatio: lookups === 0 ? null : stats.hits / lookups },
      refreshes: { refreshed: refreshCount(tenant, 'refreshed'), noBudget: refreshCount(tenant, 'no-budget') },
      sinks: deliveredSinkNames(settings),
      sinkHealth: await health.read(tenant),
      pending: { alerts: await pending.count(tenant), limit: settings.TENANT_MAX_PENDING_ALERTS },
    });
  }
  const disabled = await readDisabledEndpoints(redis, keys.disabledEndpoints());
  const backlog = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
  return {
    at: new Date().toISOString(),
    queue: counts,
    backlogEtaMs: Math.max(0, ...tenants.map((t) => budgetEtaMs(t.budget.windows, backlog, t.budget.cooldownMs))),
    tenants,
    sinks: {
      configured: [...new Set(tenants.flatMap((t) => t.sinks))],
      disabledEndpoints: disabled.length,
      disabled,
    },
  };
}
