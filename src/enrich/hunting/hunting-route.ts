import { setTimeout as sleep } from 'node:timers/promises';
import { IpenrichError, toIpenrichError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Redis } from '../../redis/connection.js';
import type { KeySpace } from '../../redis/keys.js';
import type { FetchOutcome } from '../coalescer.js';
import { createRateLimiter, type LimiterStatus } from '../limiter.js';
import type { RateWindow } from '../rate-windows.js';
import { spendAdmitted } from '../spend-admitted.js';
import type { HuntingClient } from './hunting-client.js';
import { huntingCooldownMs } from './hunting-cooldown.js';
import type { MdeSource } from './sources.js';

/** One enrich call's misses on their way to hunting: joined into batches, one query per batch. */
export interface HuntingGather {
  /** True: every miss goes to hunting (`hunting`, or `auto` with many misses); false: only those IP stats cannot answer in time. */
  readonly direct: boolean;
  /** Joins the miss to the next batch; called while holding the IP's coalescing lock. */
  fetch(ip: string, options: { readonly deadline?: number | undefined }): Promise<FetchOutcome>;
  /** The IP was answered without joining (cache, another process, IP stats): the batch stops waiting for it. */
  settled(ip: string): void;
}

export interface HuntingRoute {
  /** The gather for `misses` misses of one call, or undefined when the tenant asks IP stats only. */
  gather(tenant: string, lookBackHours: number, misses: number): HuntingGather | undefined;
  limiterStatus(tenant: string): Promise<LimiterStatus>;
  /** Runs `call` as one admitted hunting call of the tenant, waiting for its budget (`calibrate`). */
  spend<T>(tenant: string, call: () => Promise<T>): Promise<T>;
}

interface HuntingTenantSettings {
  readonly MDE_SOURCE: MdeSource;
  readonly GRAPH_HUNTING_BATCH_SIZE: number;
  readonly GRAPH_HUNTING_AUTO_MIN_IPS: number;
}

/** Counters the route reports (src/metrics implements them): calls, IPs per call, outcomes. */
export interface HuntingMetrics {
  huntingCall(tenant: string, ips: number, outcome: 'ok' | ErrorCode): void;
}

export interface HuntingRouteDeps {
  readonly redis: Redis;
  readonly keys: KeySpace;
  /** GRAPH_HUNTING_LIMITS. */
  readonly windows: readonly RateWindow[];
  readonly safetyMs: number;
  /** The in-flight bound of a query (at least the client's timeout). */
  readonly inflightMs: number;
  /** GRAPH_HUNTING_CPU_CYCLE_S in ms. */
  readonly cpuCycleMs: number;
  readonly settingsOf: (tenant: string) => HuntingTenantSettings;
  readonly clientFor: (tenant: string) => HuntingClient;
  /** The limiter budget a tenant's hunting spends (see huntingBudget). Default: its own. */
  readonly budgetOf?: (tenant: string) => string;
  /** How long a batch waits for more misses after its first, at most. */
  readonly lingerMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly metrics?: HuntingMetrics;
}

interface Joined {
  readonly ip: string;
  readonly deadline: number | undefined;
  readonly resolve: (outcome: FetchOutcome) => void;
}

const DEFAULT_LINGER_MS = 50;

/** The limiter budget name of an owner's hunting calls: apart from its IP stats budget (tenant names cannot hold `~`). */
export const huntingBudget = (owner: string): string => `hunting~${owner}`;

/**
 * The second source behind the shared limiter: misses routed to Graph advanced hunting are gathered
 * into batches (GRAPH_HUNTING_BATCH_SIZE), and each batch spends one call of the tenant's hunting
 * budget (GRAPH_HUNTING_LIMITS, its own windows in the same Redis limiter) on one query. Every IP of
 * a batch is held under its own coalescing lock by the enricher, so an IP being fetched by either
 * source is not asked for again. A 429 pauses hunting for the tenant in every process (shared
 * cooldown): until Retry-After, or, without one, until the next CPU cycle (hunting-cooldown.ts).
 */
export function createHuntingRoute(deps: HuntingRouteDeps): HuntingRoute {
  const { logger, metrics, settingsOf, clientFor } = deps;
  const now = deps.now ?? Date.now;
  const lingerMs = deps.lingerMs ?? DEFAULT_LINGER_MS;
  const limiter = createRateLimiter({
    redis: deps.redis,
    keys: deps.keys,
    windows: deps.windows,
    safetyMs: deps.safetyMs,
    inflightMs: deps.inflightMs,
    budgetOf: deps.budgetOf ?? huntingBudget,
  });
  const shortestWindowMs = Math.min(...limiter.windows.map((w) => w.windowMs)) + deps.safetyMs;
  const released = (retryAt: number): FetchOutcome => ({ kind: 'released', retryAt });

  /** Waits for the hunting budget; the items whose deadline comes first are released on the way. */
  async function admit(tenant: string, items: Joined[]): Promise<{ ticket: string; items: Joined[] } | undefined> {
    let waiting = items;
    for (;;) {
      const admission = await limiter.acquire(tenant);
      if (admission.admitted) return { ticket: admission.ticket, items: waiting };
      const retryAt = now() + admission.waitMs;
      const late = waiting.filter((item) => item.deadline !== undefined && item.deadline < retryAt);
      for (const item of late) item.resolve(released(retryAt));
      waiting = waiting.filter((item) => !late.includes(item));
      if (waiting.length === 0) return undefined;
      await sleep(admission.waitMs);
    }
  }

  async function query(tenant: string, lookBackHours: number, batch: Joined[]): Promise<void> {
    const fail = (error: IpenrichError, items: readonly Joined[]): void => {
      for (const item of items) item.resolve({ kind: 'error', error: error.toJSON() });
    };
    let client: HuntingClient;
    try {
      client = clientFor(tenant);
      // A query that cannot be sent (no token) must not spend budget.
      await client.ready?.();
    } catch (thrown) {
      const error = toIpenrichError(thrown);
      logger?.warn({ tenant, code: error.code }, 'hunting query not sent');
      fail(error, batch);
      return;
    }
    const admitted = await admit(tenant, batch);
    if (!admitted) return;
    const { ticket, items } = admitted;
    try {
      const records = await client.prevalence({ ips: items.map((item) => item.ip), lookBackHours });
      metrics?.huntingCall(tenant, items.length, 'ok');
      const byIp = new Map(records.map((record) => [record.ip, record]));
      for (const item of items) {
        const record = byIp.get(item.ip);
        if (record) item.resolve({ kind: 'value', entry: { kind: 'record', record: { ...record, source: 'hunting' } } });
        else item.resolve({ kind: 'error', error: new IpenrichError('HUNTING_BAD_RESPONSE', `the hunting answer has no record for ${item.ip}`).toJSON() });
      }
    } catch (thrown) {
      const error = toIpenrichError(thrown);
      metrics?.huntingCall(tenant, items.length, error.code);
      if (error.code === 'HUNTING_THROTTLED') {
        const cooldownMs = huntingCooldownMs(error, { now: now(), cpuCycleMs: deps.cpuCycleMs, shortestWindowMs, safetyMs: deps.safetyMs });
        await limiter.setCooldown(tenant, cooldownMs);
        logger?.warn({ tenant, cooldownMs, limit: error.details?.limit }, 'Graph answered 429 to a hunting query; every process pauses hunting for this tenant');
        const retryAt = now() + cooldownMs;
        for (const item of items) item.resolve(released(retryAt));
        return;
      }
      logger?.warn({ tenant, ips: items.length, code: error.code }, 'hunting query failed');
      fail(error, items);
    } finally {
      await limiter.settle(tenant, ticket).catch((error: unknown) => logger?.warn({ err: error, tenant }, 'could not settle a hunting call in the limiter'));
    }
  }

  return {
    gather(tenant, lookBackHours, misses) {
      const settings = settingsOf(tenant);
      if (settings.MDE_SOURCE === 'ipstats' || misses === 0) return undefined;
      const direct = settings.MDE_SOURCE === 'hunting' || misses >= settings.GRAPH_HUNTING_AUTO_MIN_IPS;
      const batchSize = settings.GRAPH_HUNTING_BATCH_SIZE;
      /** Misses that have neither joined nor been answered otherwise. */
      let outstanding = misses;
      const joinedIps = new Set<string>();
      const pending: Joined[] = [];
      let timer: NodeJS.Timeout | undefined;

      const send = (batch: Joined[]): void => {
        query(tenant, lookBackHours, batch).catch((thrown: unknown) => {
          // Redis failed under the limiter: the waiters hear it as an error, never as silence.
          const error = toIpenrichError(thrown);
          for (const item of batch) item.resolve({ kind: 'error', error: error.toJSON() });
        });
      };
      const flushAll = (): void => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (pending.length > 0) send(pending.splice(0));
      };
      const check = (): void => {
        while (pending.length >= batchSize) send(pending.splice(0, batchSize));
        if (outstanding <= 0) flushAll();
        else if (pending.length > 0 && !timer) timer = setTimeout(flushAll, lingerMs);
      };

      return {
        direct,
        fetch(ip, options) {
          return new Promise<FetchOutcome>((resolve) => {
            // Counted already when it first waited for another process's fetch, which then released it.
            if (!joinedIps.has(ip)) outstanding -= 1;
            joinedIps.add(ip);
            pending.push({ ip, deadline: options.deadline, resolve });
            check();
          });
        },
        settled(ip) {
          if (joinedIps.has(ip)) return;
          joinedIps.add(ip);
          outstanding -= 1;
          check();
        },
      };
    },
    limiterStatus: (tenant) => limiter.status(tenant),
    spend: (tenant, call) => spendAdmitted(limiter, tenant, call, logger ? { logger } : {}),
  };
}
