import { createEnrichmentCache, type CacheTtls } from '../../src/enrich/cache.js';
import type { IpStatsRecord } from '../../src/enrich/ip-stats.js';
import { createRateLimiter } from '../../src/enrich/limiter.js';
import type { RateWindow } from '../../src/enrich/rate-windows.js';
import type { Redis } from '../../src/redis/connection.js';
import type { KeySpace } from '../../src/redis/keys.js';

const DAY_MS = 86_400_000;

/**
 * Writes, through the cache's own encoding, the entry a fetch `ageMs` ago would have left for a
 * seen IP: past its TTL (the default CACHE_TTL_SEEN_S, a day) when `ageMs` is more than that.
 */
export async function writeAgedEntry(redis: Redis, keys: KeySpace, tenant: string, record: Omit<IpStatsRecord, 'fetchedAt'>, ageMs: number): Promise<IpStatsRecord> {
  const fetchedAtMs = Date.now() - ageMs;
  const ttls: CacheTtls = { seenMs: DAY_MS, notSeenMs: DAY_MS / 4, invalidMs: 7 * DAY_MS };
  const cache = createEnrichmentCache({ redis, keys, ttls, maxStaleMs: 7 * DAY_MS, now: () => fetchedAtMs });
  const full = { ...record, fetchedAt: new Date(fetchedAtMs).toISOString() };
  const entry = { kind: 'record' as const, record: full };
  await redis.set(cache.key(tenant, record.ip, record.lookBackHours), cache.encode(entry), 'PX', cache.storeTtlMs(entry));
  return full;
}

/** Spends every call the windows allow now (they must be MDE_RATE_LIMITS of the process under test). */
export async function exhaustBudget(redis: Redis, keys: KeySpace, tenant: string, windows: readonly RateWindow[], budgetOf?: (tenant: string) => string): Promise<void> {
  // The budget the tenant spends, which tenants on one Defender credential share (src/config/budget-owners.ts).
  const limiter = createRateLimiter({ redis, keys, windows, safetyMs: 0, ...(budgetOf ? { budgetOf } : {}) });
  while ((await limiter.acquire(tenant)).admitted);
}
