import { z } from 'zod';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { ipStatsRecordSchema } from './ip-stats.js';
import { ProcessCache } from '../process-cache.js';

/**
 * What the cache may hold: Defender's answer, or the fact that Defender rejected the IP (400).
 * Nothing else has a representation here, so a 429, 5xx, timeout or auth error cannot be cached.
 */
/**
 * Epoch ms (the writer's clock) until which the entry is fresh; after it, it is stale until its Redis
 * TTL (fresh TTL + CACHE_MAX_STALE_S) runs out. Absent in entries written before stale serving: those
 * are fresh until their Redis TTL, which was their fresh TTL.
 */
const freshUntil = z.number().optional();

export const cacheEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('record'), record: ipStatsRecordSchema, freshUntil }),
  z.object({
    kind: z.literal('invalid'),
    ip: z.string(),
    lookBackHours: z.number().int().min(1).max(720),
    /** Defender's reason, as our client reported it. */
    message: z.string(),
    fetchedAt: z.string(),
    freshUntil,
  }),
]);
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

export interface CacheTtls {
  /** Defender saw the IP (CACHE_TTL_SEEN_S). */
  readonly seenMs: number;
  /** Defender saw no device talk to it: shorter, it may show up soon (CACHE_TTL_NOT_SEEN_S). */
  readonly notSeenMs: number;
  /** Defender rejected the IP with 400 (CACHE_TTL_INVALID_S). */
  readonly invalidMs: number;
}

/** A cache entry as read: fresh (answer it), or stale (answer it only when the budget cannot refetch it in time). */
interface CacheRead {
  readonly entry: CacheEntry;
  readonly stale: boolean;
}

/** The entries one lookup found, and the hit and miss counts it adds once it is used. */
export interface CacheReads {
  readonly found: Map<string, CacheRead>;
  count(): void;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries that failed validation and were treated as misses (also counted in misses). */
  readonly corrupt: number;
}

export interface EnrichmentCache {
  key(tenant: string, ip: string, lookBackHours: number): string;
  /**
   * Looks up every IP in one round trip and returns the entries found, fresh or stale. Hits (fresh)
   * and misses (stale or absent) are counted when the reader calls `count`: a read made on
   * speculation (beside the job record, which may already hold the result) counts only if used.
   */
  readMany(tenant: string, ips: readonly string[], lookBackHours: number): Promise<CacheReads>;
  /**
   * The same lookup answered in this process without Redis, when every IP has a fresh entry this
   * process read within CACHE_LOCAL_TTL_MS; undefined otherwise (then `readMany`).
   */
  readInProcess(tenant: string, ips: readonly string[], lookBackHours: number): CacheReads | undefined;
  /**
   * One lookup that is not counted: the re-check a fetcher makes after taking the lock. Fresh entries
   * only, and (for a refresh ahead) only those still fresh `minFreshMs` from now.
   */
  peek(tenant: string, ip: string, lookBackHours: number, minFreshMs?: number): Promise<CacheEntry | undefined>;
  /** How long Redis keeps the entry: its fresh TTL plus the time it may be served stale. */
  storeTtlMs(entry: CacheEntry): number;
  /** The value to store, stamped with the time it stops being fresh. */
  encode(entry: CacheEntry): string;
  stats(tenant: string): Promise<CacheStats>;
}

/** Where the cache's hit and miss counts go when the process batches its counters (SharedMetrics). */
interface CacheLookupCounts {
  cacheLookups(tenant: string, counts: CacheStats): void;
}

export interface EnrichmentCacheOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly ttls: CacheTtls;
  /** CACHE_MAX_STALE_S in ms: how long past its TTL an entry may still answer; 0 turns stale serving off. */
  readonly maxStaleMs?: number;
  /** This host's clock (epoch ms), which stamps and judges freshness. */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Batches the counts (a command per lookup is a tenth of a worker's Redis work); without it, each lookup writes them. */
  readonly counts?: CacheLookupCounts;
  /**
   * CACHE_LOCAL_TTL_MS: how long a fresh entry read from Redis may answer again from this process's
   * copy, never past its own freshness; 0 (the default here) reads Redis every time.
   */
  readonly localTtlMs?: number;
}

/** Entries one process keeps: a busy worker's hot IPs, bounded so a flood of distinct IPs cannot grow it. */
const LOCAL_MAX_ENTRIES = 10_000;

function entryIp(entry: CacheEntry): { ip: string; lookBackHours: number } {
  return entry.kind === 'record' ? entry.record : entry;
}

/**
 * A stored entry as read from Redis, or undefined when it is not one (bad JSON, wrong shape) or is
 * another key's (its IP and look-back are checked on every read).
 */
export function decodeCacheEntry(raw: string, ip: string, lookBackHours: number): CacheEntry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = cacheEntrySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const owner = entryIp(parsed.data);
  return owner.ip === ip && owner.lookBackHours === lookBackHours ? parsed.data : undefined;
}

export function createEnrichmentCache(options: EnrichmentCacheOptions): EnrichmentCache {
  const { redis, keys, ttls, logger, maxStaleMs = 0, localTtlMs = 0 } = options;
  const now = options.now ?? Date.now;
  /** Fresh entries read from Redis lately, by key: repeated lookups of a hot IP cost no round trip. */
  const local = new ProcessCache<CacheRead>(LOCAL_MAX_ENTRIES);

  function ttlMs(entry: CacheEntry): number {
    if (entry.kind === 'invalid') return ttls.invalidMs;
    return entry.record.seen ? ttls.seenMs : ttls.notSeenMs;
  }

  /**
   * Fresh, stale, or gone (undefined). An entry past its stale allowance is gone even if Redis still
   * holds it: CACHE_MAX_STALE_S may have been lowered since it was written.
   */
  function classify(entry: CacheEntry, at = now()): CacheRead | undefined {
    if (entry.freshUntil === undefined) return { entry, stale: false };
    if (at < entry.freshUntil) return { entry, stale: false };
    return at < entry.freshUntil + maxStaleMs ? { entry, stale: true } : undefined;
  }

  /**
   * Plain commands, not awaited: counters need no transaction and no round trip on the hot path.
   * Redis runs them in order on this connection, so a later read on it (stats) sees them.
   */
  function writeCounts(tenant: string, counts: CacheStats): void {
    const fields: [keyof CacheStats, number][] = [['hits', counts.hits], ['misses', counts.misses], ['corrupt', counts.corrupt]];
    for (const [field, amount] of fields) {
      if (amount > 0) redis.hincrby(keys.cacheStats(tenant), field, amount).catch((error: unknown) => logger?.debug({ err: error }, 'cache counter not written'));
    }
  }

  function counter(tenant: string, lookups: number, hits: number, corrupt: number): () => void {
    return () => {
      if (corrupt > 0) logger?.warn({ tenant, corrupt }, 'corrupt cache entries treated as misses');
      const counts = { hits, misses: lookups - hits, corrupt };
      if (options.counts) options.counts.cacheLookups(tenant, counts);
      else writeCounts(tenant, counts);
    };
  }

  /**
   * Another process may rewrite an entry (a refresh) or Redis may lose it meanwhile: the copy answers
   * for at most CACHE_LOCAL_TTL_MS after the read, and never once the entry stops being fresh.
   */
  function keepLocally(key: string, read: CacheRead, at: number): void {
    if (localTtlMs <= 0 || read.stale) return;
    local.set(key, read, Math.min(at + localTtlMs, read.entry.freshUntil ?? Number.POSITIVE_INFINITY));
  }

  function readInProcess(tenant: string, ips: readonly string[], lookBackHours: number): CacheReads | undefined {
    if (localTtlMs <= 0 || ips.length === 0) return undefined;
    const at = now();
    const found = new Map<string, CacheRead>();
    for (const ip of ips) {
      const read = local.get(keys.cacheEntry(tenant, ip, lookBackHours), at);
      if (read === undefined) return undefined;
      found.set(ip, read);
    }
    return { found, count: counter(tenant, ips.length, ips.length, 0) };
  }

  /** A value that does not parse, or belongs to another key, is a miss: it will be fetched and overwritten. */
  async function readMany(tenant: string, ips: readonly string[], lookBackHours: number): Promise<CacheReads> {
    const found = new Map<string, CacheRead>();
    if (ips.length === 0) return { found, count: () => undefined };
    const lookups = ips.map((ip) => ({ ip, key: keys.cacheEntry(tenant, ip, lookBackHours) }));
    const values = await redis.mget(...lookups.map((lookup) => lookup.key));
    const at = now();
    let corrupt = 0;
    let hits = 0;
    lookups.forEach(({ ip, key }, i) => {
      const raw = values[i];
      if (raw === null || raw === undefined) return;
      const entry = decodeCacheEntry(raw, ip, lookBackHours);
      if (!entry) {
        corrupt += 1;
        return;
      }
      const read = classify(entry, at);
      if (!read) return;
      found.set(ip, read);
      keepLocally(key, read, at);
      if (!read.stale) hits += 1;
    });
    return { found, count: counter(tenant, ips.length, hits, corrupt) };
  }

  return {
    key: (tenant, ip, lookBackHours) => keys.cacheEntry(tenant, ip, lookBackHours),

    readMany,
    readInProcess,

    async peek(tenant, ip, lookBackHours, minFreshMs = 0) {
      const raw = await redis.get(keys.cacheEntry(tenant, ip, lookBackHours));
      const entry = raw === null ? undefined : decodeCacheEntry(raw, ip, lookBackHours);
      const read = entry && classify(entry, now() + minFreshMs);
      // A stale entry is what the fetcher is here to replace.
      return read && !read.stale ? read.entry : undefined;
    },

    storeTtlMs: (entry) => ttlMs(entry) + maxStaleMs,

    encode: (entry) => JSON.stringify({ ...entry, freshUntil: now() + ttlMs(entry) }),

    async stats(tenant) {
      const raw = await redis.hgetall(keys.cacheStats(tenant));
      const count = (name: string): number => Number(raw[name] ?? 0);
      return { hits: count('hits'), misses: count('misses'), corrupt: count('corrupt') };
    },
  };
}
