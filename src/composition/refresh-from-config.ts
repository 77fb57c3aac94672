import type { Config } from '../config/load.js';
import type { Enricher } from '../enrich/enricher.js';
import { createPopularity, type Popularity } from '../enrich/popularity.js';
import type { RefreshOutcome } from '../enrich/refresh-outcome.js';
import { startRefresher, type Refresher } from '../enrich/refresher.js';
import { createSpareBudget } from '../enrich/spare-budget.js';
import { sustainedSpacingMs } from '../enrich/rate-windows.js';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import { keySpace } from '../redis/keys.js';
import { budgetOwners } from '../config/budget-owners.js';
import { tenantNamed } from '../config/tenant-named.js';

/** Keys counted per tenant: the most popular few thousand are all a day's spare budget can refresh. */
const POPULARITY_MAX_KEYS = 20_000;

/**
 * Refresh-ahead spends IP stats budget: a tenant on `MDE_SOURCE=hunting` has none (docs/hunting.md), so
 * its entries are not refreshed ahead whatever CACHE_REFRESH_AHEAD says.
 */
export const refreshesAhead = (config: Config) => (tenant: string): boolean => {
  const settings = tenantNamed(config, tenant);
  return (settings?.MDE_SOURCE ?? config.MDE_SOURCE) !== 'hunting' && (settings?.CACHE_REFRESH_AHEAD ?? config.CACHE_REFRESH_AHEAD);
};

/** What each tenant that refreshes ahead asks for, decayed over a seen entry's TTL; undefined when none does. */
export function popularityFromConfig(config: Config, redis: Redis, logger?: Logger): Popularity | undefined {
  const counts = refreshesAhead(config);
  if (!Object.keys(config.tenants).some(counts)) return undefined;
  return createPopularity({ redis, keys: keySpace(config.IPENRICH_PREFIX), halfLifeMs: config.CACHE_TTL_SEEN_S * 1000, maxKeys: POPULARITY_MAX_KEYS, counts, ...(logger ? { logger } : {}) });
}

export interface RefresherDeps {
  readonly redis: Redis;
  readonly enricher: Pick<Enricher, 'refresh'>;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly onRefresh?: (tenant: string, outcome: RefreshOutcome) => void;
}

/**
 * The worker's refresher for every tenant with CACHE_REFRESH_AHEAD, paced by the budget's windows:
 * it looks again at most one sustained slot after a refusal and at least once per shortest window.
 */
export function startRefresherFromConfig(config: Config, deps: RefresherDeps): Refresher | undefined {
  const tenants = Object.values(config.tenants)
    .filter((tenant) => refreshesAhead(config)(tenant.name))
    .map((tenant) => ({ name: tenant.name, budgetPercent: tenant.CACHE_REFRESH_BUDGET_PERCENT, aheadPercent: tenant.CACHE_REFRESH_AHEAD_PERCENT }));
  const popularity = popularityFromConfig(config, deps.redis, deps.logger);
  if (tenants.length === 0 || !popularity) return undefined;
  const windows = config.MDE_RATE_LIMITS;
  const keys = keySpace(config.IPENRICH_PREFIX);
  const maxPauseMs = Math.min(...windows.map((w) => w.windowMs));
  const spare = createSpareBudget({ redis: deps.redis, keys, windows, safetyMs: config.MDE_RATE_SAFETY_MS, inflightMs: config.COALESCE_LOCK_MS, budgetOf: budgetOwners(config) });
  return startRefresher({
    redis: deps.redis,
    keys,
    enricher: deps.enricher,
    spare,
    popularity,
    tenants,
    minPauseMs: sustainedSpacingMs(windows),
    maxPauseMs,
    failedBackoffMs: Math.max(...windows.map((w) => w.windowMs)),
    // Renewed at every pass and before every call: it must outlast the longest pause and one call.
    leaseMs: 2 * maxPauseMs + config.COALESCE_LOCK_MS,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onRefresh ? { onRefresh: deps.onRefresh } : {}),
  });
}
