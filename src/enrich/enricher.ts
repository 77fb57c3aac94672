import { setTimeout as sleep } from 'node:timers/promises';
import type { RateWindow } from './rate-windows.js';
import { IpenrichError, isErrorCode, toIpenrichError, type ErrorCode } from '../errors.js';
import { canonicalIp } from '../extract/index.js';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { createEnrichmentCache, type CacheEntry, type CacheStats, type CacheReads, type CacheTtls } from './cache.js';
import { createCoalescer, type FetchOutcome } from './coalescer.js';
import type { IpStatsClient, IpStatsRecord } from './ip-stats.js';
import { createRateLimiter, type LimiterStatus } from './limiter.js';
import type { HuntingGather, HuntingRoute } from './hunting/hunting-route.js';
import type { Popularity } from './popularity.js';
import type { RefreshOutcome } from './refresh-outcome.js';
import type { SpareAdmission } from './spare-budget.js';

/** How long a temporary failure of the client to get ready answers the misses that follow it. */
export const NOT_READY_HOLD_MS = 1_000;

type EnrichmentStatus = 'enriched' | 'not_seen' | 'invalid' | 'error' | 'deferred';

export interface IpEnrichment {
  /** Canonical form when the input was an IP address, otherwise the input as given. */
  readonly ip: string;
  readonly status: EnrichmentStatus;
  readonly record?: IpStatsRecord;
  /** Answered from the cache (true), or fetched now by this or another process (false). */
  readonly cached: boolean;
  /** Answered from an entry past its TTL, because the budget could not refetch it in time. */
  readonly stale?: boolean;
  /** When Defender gave the answer (ISO 8601), for `enriched`, `not_seen` and Defender's `invalid`. */
  readonly fetchedAt?: string;
  /** For `invalid` and `error`: the error itself, with its code, status and Retry-After. */
  readonly error?: IpenrichError;
  /** For `deferred`: epoch ms (this host's clock) when budget is expected. */
  readonly retryAt?: number;
}

interface EnrichOptions {
  readonly lookBackHours: number;
  /** Epoch ms. Misses the budget cannot serve by then come back `deferred`; without one, enrich waits for budget. */
  readonly deadline?: number;
  /**
   * True when other work waits for this caller's slot (a queue worker's): then a miss the budget
   * cannot serve at once is deferred to its wake-up slot instead of waiting within the deadline.
   */
  readonly slotWanted?: () => Promise<boolean>;
  /**
   * False for a caller that does not come back at a wake-up slot (`POST /v1/lookup`: it answers
   * `deferred` with `retryAt`): its deferred misses take no slot, which would push the wake-ups of
   * queued alerts later while the budget they wait for goes unused. Default true (a queued job).
   */
  readonly wakeSlots?: boolean;
  readonly signal?: AbortSignal;
}

/** How a miss is resolved: the caller's options, and whether a deferral takes a wake-up slot. */
interface MissOptions extends EnrichOptions {
  /**
   * False for a stale entry's refetch: it is answered from the entry when deferred, so nobody wakes
   * for it, and a slot would push real misses' wake-ups later.
   */
  readonly wakeSlot: boolean;
  /** The call's misses going to Graph advanced hunting (MDE_SOURCE hunting or auto), if any. */
  readonly gather?: HuntingGather | undefined;
  /** A refresh ahead: budget comes from here, once, instead of the limiter; refused means released, nothing waits. */
  readonly spare?: () => Promise<SpareAdmission>;
}

/** Counters the enricher reports (src/metrics implements them, shared across processes). */
export interface EnrichMetrics {
  /** `seen` / `not_seen` for answers, the error code for failures. */
  apiCall(tenant: string, outcome: 'seen' | 'not_seen' | ErrorCode): void;
  limiterWait(tenant: string, waitMs: number, kind: 'slept' | 'deferred'): void;
  /** Cache hits and misses, written with the other counters (CacheStats: `hits`, `misses`, `corrupt`). */
  cacheLookups(tenant: string, counts: CacheStats): void;
}

export interface EnricherDeps {
  /** Used for commands; the enricher never closes it. */
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly windows: readonly RateWindow[];
  readonly safetyMs: number;
  readonly ttls: CacheTtls;
  /** CACHE_MAX_STALE_S in ms: how long past its TTL an entry may still answer when the budget cannot. Default 0 (never). */
  readonly maxStaleMs?: number;
  /** CACHE_LOCAL_TTL_MS: how long a fresh entry read from Redis answers again from this process's copy. Default 0 (never). */
  readonly localTtlMs?: number;
  /**
   * COALESCE_LOCK_MS: how long a dead fetcher blocks its key before another process takes over, and
   * the limiter's in-flight bound of a call; must exceed the Defender client's timeout.
   */
  readonly lockMs: number;
  readonly clientFor: (tenant: string) => IpStatsClient;
  /** The API budget a tenant spends, when tenants share one (src/config/budget-owners.ts). */
  readonly budgetOf?: (tenant: string) => string;
  /** This host's clock (epoch ms), for deadlines and `retryAt`. The budget itself runs on Redis time. */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Shared counters (src/metrics): API calls by outcome, limiter waits. */
  readonly metrics?: EnrichMetrics;
  /** The second source (docs/hunting.md): misses it takes are batched into hunting queries. */
  readonly hunting?: HuntingRoute;
  /** Counts what each tenant asks for, for refresh-ahead (src/enrich/popularity.ts). */
  readonly popularity?: Popularity;
}

/** An enrichment begun: the IPs as asked, their canonical forms, and the cache lookup under way. */
interface BegunLookup {
  readonly tenant: string;
  readonly ips: readonly string[];
  readonly lookBackHours: number;
  /** One per input IP: its canonical form, undefined when it is not an IP. */
  readonly canonical: readonly (string | undefined)[];
  readonly unique: readonly string[];
  readonly reads: Promise<CacheReads>;
}

/** IPs whose cache lookup is under way (`Enricher.begin`). */
interface StartedEnrichment {
  /**
   * Every IP had a fresh entry in this process's copy of the cache (CACHE_LOCAL_TTL_MS): the lookup
   * made no round trip, and `finish` spends no budget.
   */
  readonly answeredInProcess: boolean;
  /** One result per input IP, in input order: `Enricher.enrich` from the lookup already made. */
  finish(options: Omit<EnrichOptions, 'lookBackHours'>): Promise<IpEnrichment[]>;
}

export interface Enricher {
  /** One result per input IP, in input order. Rejects only on abort or when Redis fails. */
  enrich(tenant: string, ips: readonly string[], options: EnrichOptions): Promise<IpEnrichment[]>;
  /**
   * Sends the cache lookup at once and nothing more: no budget, no counts, until `finish`. A caller
   * sends it in the same tick as its own read (the job record), so both share a socket write and
   * a round trip; one that never finishes has spent nothing.
   */
  begin(tenant: string, ips: readonly string[], lookBackHours: number): StartedEnrichment;
  /**
   * Refresh-ahead of one entry: refetches it through the coalescer with budget from `spare`, unless
   * it stays fresh `minFreshMs` more (someone refetched it) or another process is fetching it. Never
   * waits: for the lock, for budget, or with a wake-up slot.
   */
  refresh(tenant: string, ip: string, lookBackHours: number, spare: () => Promise<SpareAdmission>, minFreshMs: number): Promise<RefreshOutcome>;
  limiterStatus(tenant: string): Promise<LimiterStatus>;
  cacheStats(tenant: string): Promise<CacheStats>;
  /** Closes the enricher's own subscriber connection (not `redis`). */
  close(): Promise<void>;
}

function fromEntry(entry: CacheEntry, cached: boolean, stale = false): IpEnrichment {
  const marked = stale ? { stale: true } : {};
  if (entry.kind === 'invalid') {
    const error = new IpenrichError('MDE_BAD_REQUEST', entry.message, { statusCode: 400 });
    return { ip: entry.ip, status: 'invalid', cached, ...marked, fetchedAt: entry.fetchedAt, error };
  }
  const { record } = entry;
  return { ip: record.ip, status: record.seen ? 'enriched' : 'not_seen', record, cached, ...marked, fetchedAt: record.fetchedAt };
}

/** A fresh cache read's answer. */
function fromFresh(read: { readonly entry: CacheEntry } | undefined): IpEnrichment {
  if (read === undefined) throw new Error('unreachable: a fresh read for every IP');
  return fromEntry(read.entry, true);
}

/** One answer per input IP, in input order; what is not an IP is answered invalid. */
function inInputOrder(ips: readonly string[], canonical: readonly (string | undefined)[], answers: ReadonlyMap<string, IpEnrichment>): IpEnrichment[] {
  return ips.map((input, i): IpEnrichment => {
    const ip = canonical[i];
    const result = ip === undefined ? undefined : answers.get(ip);
    if (result) return result;
    return { ip: input, status: 'invalid', cached: false, error: new IpenrichError('INVALID_IP', `"${input.slice(0, 100)}" is not an IP address`) };
  });
}

/** A failure as the fetcher published it (possibly from another process), as the error it was. */
function revived(error: Extract<FetchOutcome, { kind: 'error' }>['error']): IpenrichError {
  if (!isErrorCode(error.code)) return new IpenrichError('INTERNAL', `${error.code}: ${error.message}`);
  return new IpenrichError(error.code, error.message, {
    ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}

function fromOutcome(ip: string, outcome: FetchOutcome): IpEnrichment {
  switch (outcome.kind) {
    case 'value':
      return fromEntry(outcome.entry, false);
    case 'error':
      return { ip, status: 'error', cached: false, error: revived(outcome.error) };
    case 'released':
      return { ip, status: 'deferred', cached: false, retryAt: outcome.retryAt };
  }
}

/**
 * How often a miss waiting for budget inside a worker slot checks whether another job wants the slot.
 * At 100 ms, another tenant's alert arriving meanwhile waited up to 200 ms for a slot (bench
 * `fairness`); the check is shared per process (slot-demand.ts), so this costs at most two cheap
 * commands per 10 ms per process, and only while some miss waits.
 */
const SLOT_CHECK_MS = 10;

/**
 * cache → coalesce → limiter → client, for one batch of IPs. Every cached IP is answered from one
 * MGET, budget or not; each miss is fetched by exactly one process, only once the shared limiter
 * admits it, and comes back `deferred` (with the limiter's time) when that would be after the deadline.
 */
export function createEnricher(deps: EnricherDeps): Enricher {
  const { redis, keys, windows, safetyMs, ttls, lockMs, clientFor, logger, metrics, maxStaleMs = 0, localTtlMs = 0 } = deps;
  const now = deps.now ?? Date.now;
  const limiter = createRateLimiter({ redis, keys, windows, safetyMs, inflightMs: lockMs, ...(deps.budgetOf ? { budgetOf: deps.budgetOf } : {}) });
  const cache = createEnrichmentCache({ redis, keys, ttls, maxStaleMs, localTtlMs, now, ...(logger ? { logger } : {}), ...(metrics ? { counts: metrics } : {}) });
  const coalescer = createCoalescer({ redis, keys, cache, lockMs, now, ...(logger ? { logger } : {}) });
  /** Misses already being resolved in this process, so one batch or two concurrent ones share a fetch. */
  const inFlight = new Map<string, Promise<IpEnrichment>>();
  // Without Retry-After, a 429 most likely means the shortest window was overrun.
  const defaultCooldownMs = Math.min(...windows.map((w) => w.windowMs)) + safetyMs;
  /**
   * Per tenant, a time before which the limiter cannot admit anything: learned from its last refusal
   * (admissions elsewhere only push the next free slot later, never earlier) or from a 429. A miss
   * whose deadline falls before it is deferred without touching Redis, so a large backlog retrying
   * costs one cache lookup each.
   */
  const blockedUntil = new Map<string, number>();
  const noteBlocked = (tenant: string, until: number): void => {
    if (until > (blockedUntil.get(tenant) ?? 0)) blockedUntil.set(tenant, until);
  };
  /**
   * Per tenant, the client's last temporary failure to get ready (Entra ID down) and until when it
   * stands: meanwhile misses fail with it at once, so an outage costs the token endpoint one request
   * per process per NOT_READY_HOLD_MS (or its Retry-After), not one per miss of every job attempt.
   */
  const notReady = new Map<string, { readonly until: number; readonly error: IpenrichError }>();
  const failedOutcome = (error: IpenrichError): FetchOutcome => ({ kind: 'error', error: error.toJSON() });

  /**
   * Makes the admitted call, then settles it whatever happened, so it counts from when its answer
   * came. A failed settle only leaves the call counted at its in-flight bound: safe, so not an error.
   */
  async function callSettled<T>(tenant: string, ticket: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } finally {
      await limiter.settle(tenant, ticket).catch((error: unknown) => logger?.warn({ err: error, tenant }, 'could not settle an API call in the limiter'));
    }
  }

  /**
   * Sleeps until `until` in steps, asking between them whether other work wants the caller's slot.
   * False as soon as it does (the caller gives the slot up), true once the time has come.
   */
  async function sleepUnlessSlotWanted(until: number, options: EnrichOptions): Promise<boolean> {
    const { slotWanted, signal } = options;
    for (;;) {
      const remaining = until - now();
      if (remaining <= 0) return true;
      await sleep(slotWanted ? Math.min(remaining, SLOT_CHECK_MS) : remaining, undefined, signal ? { signal } : {});
      if (slotWanted && (await slotWanted())) return false;
    }
  }

  /** When a deferred miss comes back: its own wake-up slot, or for a stale refetch the limiter's time. */
  async function wakeAt(tenant: string, ip: string, earliest: number, options: MissOptions): Promise<number> {
    return options.wakeSlot ? limiter.wakeSlot(tenant, earliest, `${ip}|${options.lookBackHours}`) : earliest;
  }

  /** Runs while holding the key's lock: waits for budget within the deadline, then calls Defender once. */
  async function fetchOne(tenant: string, ip: string, options: MissOptions): Promise<FetchOutcome> {
    const { lookBackHours, deadline, signal, gather } = options;
    if (gather?.direct) return gather.fetch(ip, options);
    const held = notReady.get(tenant);
    if (held && now() < held.until) {
      logger?.debug({ tenant, ip, code: held.error.code }, 'IP lookup failed: client still not ready');
      return failedOutcome(held.error);
    }
    let client: IpStatsClient;
    try {
      client = clientFor(tenant);
      // A call that cannot be sent (no token while Entra ID is down) must not spend budget, or a
      // token outage would use up every window without one call reaching Defender.
      await client.ready?.(signal);
    } catch (thrown) {
      signal?.throwIfAborted();
      const error = toIpenrichError(thrown);
      if (error.retryable) notReady.set(tenant, { until: now() + Math.max(error.retryAfterMs ?? 0, NOT_READY_HOLD_MS), error });
      logger?.warn({ tenant, ip, code: error.code }, 'IP lookup failed');
      return failedOutcome(error);
    }
    let ticket: string;
    for (;;) {
      if (options.spare) {
        const spare = await options.spare();
        if (!spare.admitted) return { kind: 'released', retryAt: now() + spare.retryInMs };
        ticket = spare.ticket;
        break;
      }
      const askedAt = now();
      const admission = await limiter.acquire(tenant);
      if (admission.admitted) {
        ticket = admission.ticket;
        break;
      }
      // Redis answered after askedAt, so nothing is free before askedAt + wait (less the rounding up).
      noteBlocked(tenant, askedAt + admission.waitMs - 1);
      const retryAt = now() + admission.waitMs;
      if (deadline !== undefined && (retryAt > deadline || (await options.slotWanted?.()) === true)) {
        // `auto`: what IP stats cannot answer in time, hunting may (still under this IP's lock).
        if (gather) return gather.fetch(ip, options);
        metrics?.limiterWait(tenant, admission.waitMs, 'deferred');
        // A wake-up of its own: the tenant's starved misses come back one budget slot apart.
        return { kind: 'released', retryAt: await wakeAt(tenant, ip, retryAt, options) };
      }
      metrics?.limiterWait(tenant, admission.waitMs, 'slept');
      if (!(await sleepUnlessSlotWanted(retryAt, options))) {
        if (gather) return gather.fetch(ip, options);
        // Another job came to want the slot while this one waited: it goes to its wake-up slot.
        return { kind: 'released', retryAt: await wakeAt(tenant, ip, retryAt, options) };
      }
    }
    try {
      const record = await callSettled(tenant, ticket, () => client.getIpStats({ ip, lookBackHours, ...(signal ? { signal } : {}) }));
      metrics?.apiCall(tenant, record.seen ? 'seen' : 'not_seen');
      // The key's identity is the request; the cache checks it on every read.
      return { kind: 'value', entry: { kind: 'record', record: { ...record, ip, lookBackHours } } };
    } catch (thrown) {
      signal?.throwIfAborted();
      const error = toIpenrichError(thrown);
      metrics?.apiCall(tenant, error.code);
      if (error.code === 'MDE_BAD_REQUEST') {
        return { kind: 'value', entry: { kind: 'invalid', ip, lookBackHours, message: error.message, fetchedAt: new Date(now()).toISOString() } };
      }
      if (error.code === 'MDE_THROTTLED') {
        const cooldownMs = error.retryAfterMs ?? defaultCooldownMs;
        const askedAt = now();
        await limiter.setCooldown(tenant, cooldownMs);
        noteBlocked(tenant, askedAt + cooldownMs);
        logger?.warn({ tenant, cooldownMs }, 'Defender answered 429; every process pauses this tenant');
        return { kind: 'released', retryAt: now() + cooldownMs };
      }
      logger?.warn({ tenant, ip, code: error.code }, 'IP lookup failed');
      return failedOutcome(error);
    }
  }

  async function resolveMiss(tenant: string, ip: string, options: MissOptions): Promise<IpEnrichment> {
    const { lookBackHours, deadline, signal } = options;
    const blocked = blockedUntil.get(tenant) ?? 0;
    // IP stats being blocked says nothing about hunting.
    const deferNow = options.gather === undefined && deadline !== undefined && blocked > now() && (blocked > deadline || (await options.slotWanted?.()) === true);
    if (deferNow) return { ip, status: 'deferred', cached: false, retryAt: await wakeAt(tenant, ip, blocked, options) };
    const { gather } = options;
    const result = await coalescer.run({ tenant, ip, lookBackHours }, () => fetchOne(tenant, ip, options), {
      ...(deadline === undefined ? {} : { deadline }),
      ...(signal ? { signal } : {}),
      // Another process fetches this IP: this call's hunting batch goes without it.
      ...(gather ? { onWait: () => gather.settled(ip) } : {}),
    });
    if (result.role !== 'timeout') return fromOutcome(ip, result.outcome);
    // Another process holds the key past our deadline, most likely waiting for the same budget.
    const status = await limiter.status(tenant);
    return { ip, status: 'deferred', cached: false, retryAt: now() + status.nextFreeInMs };
  }

  async function sharedMiss(tenant: string, ip: string, options: MissOptions): Promise<IpEnrichment> {
    const flightKey = keys.cacheEntry(tenant, ip, options.lookBackHours);
    const running = inFlight.get(flightKey);
    if (running) {
      // A deferral answers someone else's deadline (ours may allow more), a rejection someone else's abort.
      const shared = await running.catch(() => undefined);
      if (shared && shared.status !== 'deferred') return shared;
    }
    const own = resolveMiss(tenant, ip, options);
    inFlight.set(flightKey, own);
    try {
      return await own;
    } finally {
      if (inFlight.get(flightKey) === own) inFlight.delete(flightKey);
    }
  }

  /**
   * A stale entry is refetched exactly as a miss, when the budget can serve it by the deadline (at
   * once for a caller without one, who would otherwise wait for budget); else the entry answers, and
   * stays stale, so the next lookup with budget refetches it.
   */
  async function refetchOrStale(tenant: string, ip: string, entry: CacheEntry, options: Omit<MissOptions, 'wakeSlot'>): Promise<IpEnrichment> {
    const result = await sharedMiss(tenant, ip, { ...options, deadline: options.deadline ?? now(), wakeSlot: false });
    return result.status === 'deferred' ? fromEntry(entry, true, true) : result;
  }

  function begin(tenant: string, ips: readonly string[], lookBackHours: number): StartedEnrichment {
    if (!Number.isInteger(lookBackHours) || lookBackHours < 1 || lookBackHours > 720) {
      const error = new IpenrichError('USAGE', `lookBackHours must be an integer from 1 to 720, got ${String(lookBackHours)}`);
      return { answeredInProcess: false, finish: () => Promise.reject(error) };
    }
    const canonical = ips.map((ip) => canonicalIp(ip)?.ip);
    const unique = [...new Set(canonical.filter((ip): ip is string => ip !== undefined))];
    const inProcess = cache.readInProcess(tenant, unique, lookBackHours);
    const reads = inProcess === undefined ? cache.readMany(tenant, unique, lookBackHours) : Promise.resolve(inProcess);
    // Handled here too: a lookup nobody finishes (the record held the result) must not reject unobserved.
    reads.catch(() => undefined);
    const lookup = { tenant, ips, lookBackHours, canonical, unique, reads };
    return { answeredInProcess: inProcess !== undefined, finish: (options) => finish(lookup, options) };
  }

  async function finish(lookup: BegunLookup, callerOptions: Omit<EnrichOptions, 'lookBackHours'>): Promise<IpEnrichment[]> {
    const { tenant, ips, lookBackHours, canonical, unique } = lookup;
    const options: EnrichOptions = { ...callerOptions, lookBackHours };
    deps.popularity?.note(tenant, unique, lookBackHours);
    const reads = await lookup.reads;
    reads.count();
    const found = reads.found;
    const misses = unique.filter((ip) => found.get(ip)?.stale !== false).length;
    // Every IP fresh in the cache, as for most alerts: the answers are at hand, no promise per IP.
    if (misses === 0) return inInputOrder(ips, canonical, new Map(unique.map((ip) => [ip, fromFresh(found.get(ip))])));
    const gather = deps.hunting?.gather(tenant, lookBackHours, misses);
    const answers = new Map<string, Promise<IpEnrichment>>();
    for (const ip of unique) {
      const read = found.get(ip);
      if (!read) answers.set(ip, sharedMiss(tenant, ip, { ...options, wakeSlot: options.wakeSlots ?? true, gather }));
      else if (!read.stale) answers.set(ip, Promise.resolve(fromEntry(read.entry, true)));
      else answers.set(ip, refetchOrStale(tenant, ip, read.entry, { ...options, gather }));
    }
    // Settle all before answering, so no fetch is left running unobserved if one rejects.
    const settled = new Map<string, IpEnrichment>();
    const failures: unknown[] = [];
    await Promise.all(
      [...answers].map(([ip, answer]) =>
        answer
          .then(
            (result) => void settled.set(ip, result),
            (error: unknown) => void failures.push(error),
          )
          // A miss answered without joining a hunting batch: the batch stops waiting for it.
          .finally(() => gather?.settled(ip)),
      ),
    );
    if (failures.length > 0) throw failures[0];
    return inInputOrder(ips, canonical, settled);
  }

  return {
    enrich: (tenant, ips, options) => begin(tenant, ips, options.lookBackHours).finish(options),
    begin,

    async refresh(tenant, ip, lookBackHours, spare, minFreshMs) {
      let called = false;
      let refused: Extract<SpareAdmission, { admitted: false }> | undefined;
      const admit = async (): Promise<SpareAdmission> => {
        const admission = await spare();
        if (!admission.admitted) refused = admission;
        return admission;
      };
      const fetch = (): Promise<FetchOutcome> => {
        called = true;
        return fetchOne(tenant, ip, { lookBackHours, wakeSlot: false, spare: admit });
      };
      // A deadline of now: a lock held by another process is not waited for.
      const result = await coalescer.run({ tenant, ip, lookBackHours }, fetch, { deadline: now(), minFreshMs });
      if (result.role !== 'fetcher') return { kind: 'busy' };
      const { outcome } = result;
      if (!called) return { kind: 'fresh' };
      if (outcome.kind === 'value') return { kind: 'refreshed' };
      if (outcome.kind === 'error') return { kind: 'failed', code: outcome.error.code };
      if (refused) return { kind: 'no-budget', blockedBy: refused.blockedBy, retryInMs: refused.retryInMs };
      // Released after the call: Defender answered 429, and the shared cooldown is set.
      return { kind: 'no-budget', blockedBy: 'cooldown', retryInMs: Math.max(0, outcome.retryAt - now()) };
    },

    limiterStatus: (tenant) => limiter.status(tenant),
    cacheStats: (tenant) => cache.stats(tenant),
    close: () => coalescer.close(),
  };
}
