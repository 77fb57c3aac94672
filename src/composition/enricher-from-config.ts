import { budgetOwners } from '../config/budget-owners.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import type { EnrichMetrics } from '../enrich/enricher.js';
import type { Redis } from '../redis/connection.js';
import { keySpace } from '../redis/keys.js';
import { createEnricher, type Enricher } from '../enrich/enricher.js';
import type { IpStatsClient } from '../enrich/ip-stats.js';
import type { HuntingRoute } from '../enrich/hunting/hunting-route.js';
import { popularityFromConfig } from './refresh-from-config.js';

/** The enricher with every budget setting taken from the configuration (limits, margin, TTLs, lock). */
export function createEnricherFromConfig(
  config: Config,
  redis: Redis,
  clientFor: (tenant: string) => IpStatsClient,
  logger?: Logger,
  metrics?: EnrichMetrics,
  hunting?: HuntingRoute,
): Enricher {
  const popularity = popularityFromConfig(config, redis, logger);
  return createEnricher({
    redis,
    keys: keySpace(config.IPENRICH_PREFIX),
    windows: config.MDE_RATE_LIMITS,
    safetyMs: config.MDE_RATE_SAFETY_MS,
    ttls: {
      seenMs: config.CACHE_TTL_SEEN_S * 1000,
      notSeenMs: config.CACHE_TTL_NOT_SEEN_S * 1000,
      invalidMs: config.CACHE_TTL_INVALID_S * 1000,
    },
    maxStaleMs: config.CACHE_MAX_STALE_S * 1000,
    localTtlMs: config.CACHE_LOCAL_TTL_MS,
    lockMs: config.COALESCE_LOCK_MS,
    clientFor,
    budgetOf: budgetOwners(config),
    ...(logger ? { logger } : {}),
    ...(metrics ? { metrics } : {}),
    ...(hunting ? { hunting } : {}),
    ...(popularity ? { popularity } : {}),
  });
}
