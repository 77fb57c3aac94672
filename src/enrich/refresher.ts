import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';
import { settleBy } from '../settle-by.js';
import { decodeCacheEntry } from './cache.js';
import type { Enricher } from './enricher.js';
import type { PopularKey, Popularity } from './popularity.js';
import type { RefreshOutcome } from './refresh-outcome.js';
import type { SpareBudget } from './spare-budget.js';

/** A tenant that refreshes ahead, with its own settings. */
interface RefreshTenant {
  readonly name: string;
  /** CACHE_REFRESH_BUDGET_PERCENT: how full each window may be once a refresh counts. */
  readonly budgetPercent: number;
  /** CACHE_REFRESH_AHEAD_PERCENT: an entry is due in this last part of its fresh life. */
  readonly aheadPercent: number;
}

export interface RefresherOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly enricher: Pick<Enricher, 'refresh'>;
  readonly spare: SpareBudget;
  readonly popularity: Pick<Popularity, 'top'>;
  readonly tenants: readonly RefreshTenant[];
  /** Shortest pause: the limiter's sustained spacing (a wake-up slot). */
  readonly minPauseMs: number;
  /** Longest pause between two looks at what is due: the shortest window. */
  readonly maxPauseMs: number;
  /** How long a key whose refresh failed is left alone: the longest window. */
  readonly failedBackoffMs: number;
  /** Lease of a tenant's refresher: another process takes over this long after one dies. */
  readonly leaseMs: number;
  /** How many keys are looked at per pass: this many of the most popular, and as many more in turn from the rest. */
  readonly candidates?: number;
  /** This host's clock (epoch ms), which judges freshness as the cache does. */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** After every refresh attempt that reached the budget or Defender (metrics, benchmarks). */
  readonly onRefresh?: (tenant: string, outcome: RefreshOutcome) => void;
}

export interface Refresher {
  /**
   * Stops every tenant's loop, waits until `deadline` (epoch ms) at most for the pass in progress,
   * then gives the leases up. Never waits past the deadline: a process told to stop must stop.
   */
  close(deadline: number): Promise<void>;
}

const DEFAULT_CANDIDATES = 256;

/** A popular key due for refresh, with how urgent it is and the freshness that makes it not due. */
interface DueKey extends PopularKey {
  readonly priority: number;
  readonly minFreshMs: number;
}

/** How long closing waits to give the leases up. */
const LEASE_RELEASE_WAIT_MS = 500;

/**
 * Refresh-ahead: spends budget real misses leave (spare-budget.ts) on the entries most likely to be
 * asked for next, before they go stale. One loop per tenant per process, of which one at a time is
 * active per tenant (a lease in Redis); the others wait to take over.
 *
 * Each pass reads the tenant's most popular keys (and a page of the others, in turn) and their entries; an entry is due in the last
 * `aheadPercent` of its fresh life, and when stale. Due keys go by popularity, halved at the far end of
 * the margin (popularity / (1 + time to stale / margin)): likely next requests first, soonest stale
 * first among equals. Each is refetched through the coalescer; at the first refusal of the spare budget
 * the loop pauses until the window has room (real misses take it meanwhile) and looks again.
 */
export function startRefresher(options: RefresherOptions): Refresher {
  const { redis, keys, enricher, spare, popularity, minPauseMs, maxPauseMs, failedBackoffMs, leaseMs, logger, onRefresh } = options;
  const now = options.now ?? Date.now;
  const candidates = options.candidates ?? DEFAULT_CANDIDATES;
  const scripts = redisScripts(redis);
  const stop = new AbortController();

  async function pause(ms: number): Promise<void> {
    await sleep(Math.max(1, Math.min(ms, maxPauseMs)), undefined, { signal: stop.signal }).catch(() => undefined);
  }

  async function holdLease(tenant: string, token: string): Promise<boolean> {
    const key = keys.refreshLease(tenant);
    if ((await scripts.ipenrichExtendLock(key, token, leaseMs)) === 1) return true;
    return (await redis.set(key, token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  /**
   * The most popular keys, and the next page of the others in turn (`cursor`): the head is checked every
   * pass, the rest of the set once per round of pages.
   */
  async function candidateKeys(tenant: string, cursor: { start: number }): Promise<PopularKey[]> {
    const [head, page] = await Promise.all([popularity.top(tenant, candidates), popularity.top(tenant, candidates, cursor.start)]);
    cursor.start = page.length < candidates ? candidates : cursor.start + candidates;
    return [...head, ...page];
  }

  /** The tenant's due keys, most urgent first, and when the next one falls due (ms) if none is. */
  async function dueKeys(tenant: RefreshTenant, cursor: { start: number }, skipUntil: Map<string, number>): Promise<{ due: DueKey[]; nextInMs: number }> {
    const popular = (await candidateKeys(tenant.name, cursor)).filter((key) => (skipUntil.get(`${key.lookBackHours}|${key.ip}`) ?? 0) <= now());
    if (popular.length === 0) return { due: [], nextInMs: maxPauseMs };
    const raw = await redis.mget(...popular.map((key) => keys.cacheEntry(tenant.name, key.ip, key.lookBackHours)));
    const at = now();
    const due: DueKey[] = [];
    let nextInMs = maxPauseMs;
    popular.forEach((key, i) => {
      // Only entries are refreshed: a key with none (never answered, or past its stale allowance) is a
      // real miss's to fetch, with its wake-up slot and its errors reported to the alert that asked.
      const stored = raw[i];
      const parsed = stored === null || stored === undefined ? undefined : decodeCacheEntry(stored, key.ip, key.lookBackHours);
      // An entry without a fresh-until time (written before stale serving) is fresh until Redis drops it.
      if (parsed?.freshUntil === undefined) return;
      const fetchedAt = Date.parse(parsed.kind === 'record' ? parsed.record.fetchedAt : parsed.fetchedAt);
      const marginMs = Math.max(0, ((parsed.freshUntil - fetchedAt) * tenant.aheadPercent) / 100) || 0;
      const untilStale = parsed.freshUntil - at;
      if (untilStale > marginMs) {
        nextInMs = Math.min(nextInMs, untilStale - marginMs);
        return;
      }
      due.push({ ...key, priority: key.score / (1 + Math.max(0, untilStale) / Math.max(1, marginMs)), minFreshMs: marginMs });
    });
    due.sort((a, b) => b.priority - a.priority);
    return { due, nextInMs };
  }

  /** Refreshes due keys until the spare budget refuses; returns how long to pause before the next pass. */
  async function refreshDue(tenant: RefreshTenant, token: string, due: readonly DueKey[], skipUntil: Map<string, number>): Promise<number> {
    for (const key of due) {
      // Renewed before each call, so a long pass never lets a second process refresh the same tenant.
      if (stop.signal.aborted || !(await holdLease(tenant.name, token))) return 0;
      const outcome = await enricher.refresh(tenant.name, key.ip, key.lookBackHours, () => spare.acquire(tenant.name, tenant.budgetPercent), key.minFreshMs);
      if (outcome.kind !== 'fresh' && outcome.kind !== 'busy') onRefresh?.(tenant.name, outcome);
      if (outcome.kind === 'failed') skipUntil.set(`${key.lookBackHours}|${key.ip}`, now() + failedBackoffMs);
      if (outcome.kind === 'no-budget') return Math.max(minPauseMs, outcome.retryInMs);
    }
    // Every due key was looked at: look again soon for what became due meanwhile.
    return minPauseMs;
  }

  /** Each tenant's lease token in this process, to give the lease up on close. */
  const tokens = new Map<string, string>();

  async function runTenant(tenant: RefreshTenant): Promise<void> {
    const token = randomUUID();
    tokens.set(tenant.name, token);
    /** Keys whose refresh failed, left alone until then (a key Defender keeps failing must not eat the spare budget). */
    const skipUntil = new Map<string, number>();
    const cursor = { start: candidates };
    while (!stop.signal.aborted) {
      try {
        if (!(await holdLease(tenant.name, token))) {
          await pause(leaseMs / 3);
          continue;
        }
        const { due, nextInMs } = await dueKeys(tenant, cursor, skipUntil);
        // Nothing due: the next page at once, or after a whole round, when the next entry falls due.
        const idleMs = cursor.start === candidates ? nextInMs : minPauseMs;
        await pause(due.length === 0 ? idleMs : await refreshDue(tenant, token, due, skipUntil));
        for (const [member, until] of skipUntil) if (until <= now()) skipUntil.delete(member);
      } catch (error) {
        logger?.warn({ err: error, tenant: tenant.name }, 'refresh-ahead pass failed; trying again');
        await pause(maxPauseMs);
      }
    }
  }

  const loops = Promise.all(options.tenants.map((tenant) => runTenant(tenant)));
  return {
    async close(deadline) {
      stop.abort();
      // A pass may be in a Redis command (which waits for a Redis that is down) or a Defender call.
      if (!(await settleBy(loops, deadline))) return;
      // Another process takes over at once instead of after the lease's TTL. extend-1.lua to 1 ms
      // touches the lease only while it is still ours. Commands wait for a Redis that is down
      // (maxRetriesPerRequest: null), and a process told to stop must not: then, or if Redis is slow,
      // the lease expires by itself.
      if (redis.status !== 'ready') return;
      const release = Promise.all([...tokens].map(([tenant, token]) => scripts.ipenrichExtendLock(keys.refreshLease(tenant), token, 1)));
      await settleBy(release, Math.min(deadline, Date.now() + LEASE_RELEASE_WAIT_MS));
    },
  };
}
