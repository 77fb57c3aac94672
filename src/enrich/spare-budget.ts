import { sustainedSpacingMs, type RateWindow } from './rate-windows.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';

export interface SpareBudgetOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  /** The limiter's windows, margin and in-flight bound: a refresh is logged in the same windows. */
  readonly windows: readonly RateWindow[];
  readonly safetyMs: number;
  readonly inflightMs: number;
  /** The budget a tenant spends (src/config/budget-owners.ts); default: its own. */
  readonly budgetOf?: (tenant: string) => string;
  /** Tests only: epoch ms to use instead of Redis TIME. */
  readonly clock?: () => number;
}

export type SpareAdmission =
  | { readonly admitted: true; readonly ticket: string }
  | {
      readonly admitted: false;
      /** A 429's cooldown, a real miss waiting for budget, or a window at its refresh ceiling. */
      readonly blockedBy: 'cooldown' | 'miss-waiting' | RateWindow;
      /** For a window: ms until it is under its ceiling again, if no other call comes. Else 0. */
      readonly retryInMs: number;
    };

/** Budget for refresh-ahead: only what real misses leave (see acquire-spare-n.lua). Settle through the limiter. */
export interface SpareBudget {
  /** `percent`: how full (CACHE_REFRESH_BUDGET_PERCENT) each window may be once the refresh counts. */
  acquire(tenant: string, percent: number): Promise<SpareAdmission>;
}

/**
 * The most calls a window may hold once a refresh is counted: `percent` of it, and always at least one
 * call below its max, so the next real miss is admitted at once whatever the refreshes took.
 */
export function refreshCeiling(window: RateWindow, percent: number): number {
  return Math.max(0, Math.min(window.max - 1, Math.floor((window.max * percent) / 100)));
}

export function createSpareBudget(options: SpareBudgetOptions): SpareBudget {
  const { keys, safetyMs, inflightMs, clock } = options;
  const windows = [...options.windows].sort((a, b) => a.windowMs - b.windowMs);
  const scripts = redisScripts(options.redis);
  const budgetOf = options.budgetOf ?? ((tenant: string) => tenant);
  // A starved miss whose wake-up slot passed less than one slot ago may be retrying right now.
  const graceMs = Math.ceil(sustainedSpacingMs(windows));

  return {
    async acquire(tenant, percent) {
      const budget = budgetOf(tenant);
      const keyList = [keys.limiterCooldown(budget), keys.limiterAdmitted(budget), keys.limiterWakeSlots(budget), ...windows.map((w) => keys.limiterWindow(budget, w.windowMs))];
      const windowArgs = windows.flatMap((w) => [w.max, w.windowMs * 1000, refreshCeiling(w, percent)]);
      const nowArg = clock ? String(Math.round(clock() * 1000)) : '';
      const [admitted, blocking, freeInUs, , ticket] = await scripts.ipenrichAcquireSpare(
        keyList.length,
        ...keyList,
        safetyMs * 1000,
        nowArg,
        inflightMs * 1000,
        graceMs,
        ...windowArgs,
      );
      if (admitted === 1) return { admitted: true, ticket };
      if (blocking === -1) return { admitted: false, blockedBy: 'cooldown', retryInMs: 0 };
      if (blocking === -2) return { admitted: false, blockedBy: 'miss-waiting', retryInMs: 0 };
      const window = windows[blocking - 1];
      if (window === undefined) throw new Error(`acquire-spare-n.lua named an unknown window ${blocking}`);
      return { admitted: false, blockedBy: window, retryInMs: Math.ceil(freeInUs / 1000) };
    },
  };
}
