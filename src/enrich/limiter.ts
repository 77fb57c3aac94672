import { sustainedSpacingMs, type RateWindow } from './rate-windows.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';

export interface RateLimiterOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  /** Every window must have room for a call to be admitted (MDE_RATE_LIMITS). */
  readonly windows: readonly RateWindow[];
  /** Added to every window, for clock skew between Redis and Defender (MDE_RATE_SAFETY_MS). */
  readonly safetyMs: number;
  /**
   * The longest an admitted call can take to reach Defender and come back (at least the client's
   * timeout). Until settled, a call counts as if it arrived this late; a caller that dies mid-call
   * holds its slot that much longer. Default 60 s; only `acquire` uses it.
   */
  readonly inflightMs?: number;
  /** Tests only: epoch ms to use instead of Redis TIME, to probe exact boundaries. */
  readonly clock?: () => number;
  /** The budget a tenant spends (src/config/budget-owners.ts); default: its own. */
  readonly budgetOf?: (tenant: string) => string;
}

export type Admission =
  | {
      readonly admitted: true;
      /** Redis time of the admission, epoch ms (microsecond precision). */
      readonly at: number;
      /** Pass to `settle` when the call's answer (or failure) is back. */
      readonly ticket: string;
    }
  | {
      readonly admitted: false;
      /**
       * Milliseconds (rounded up) until a call could be admitted, if no one else takes the slot:
       * exact when the call it waits for has settled, else the earliest possible time.
       */
      readonly waitMs: number;
      /** What refused: the shared cooldown after a 429, or the window that frees last. */
      readonly blockedBy: 'cooldown' | RateWindow;
      readonly at: number;
    };

interface WindowStatus extends RateWindow {
  readonly used: number;
  readonly remaining: number;
  /** Milliseconds until this window has room again (0 when it has room now). */
  readonly freeInMs: number;
}

export interface LimiterStatus {
  /** Redis time of the reading, epoch ms. */
  readonly at: number;
  readonly windows: readonly WindowStatus[];
  /** Milliseconds until the next call could be admitted (cooldown and every window). */
  readonly nextFreeInMs: number;
  /** Milliseconds of shared cooldown left (0 when none). */
  readonly cooldownMs: number;
  /** Calls admitted since the counter was created. */
  readonly admittedTotal: number;
  /** Admitted calls whose answer is not back yet. */
  readonly inFlight: number;
}

export interface RateLimiter {
  readonly windows: readonly RateWindow[];
  /** Admits one call now and counts it in every window, or says how long to wait. */
  acquire(tenant: string): Promise<Admission>;
  /** The admitted call is over (answered or failed): it counts from now on, not from its in-flight bound. */
  settle(tenant: string, ticket: string): Promise<void>;
  /** After a 429: no process starts a call for this tenant for `durationMs`. Returns its end (Redis epoch ms). */
  setCooldown(tenant: string, durationMs: number): Promise<number>;
  /**
   * A wake-up time for a miss the budget cannot serve before `earliestMs` (epoch ms): each newly
   * starved `asked` (IP and look-back) gets the next sustained-rate slot; asking again for one already
   * waiting joins its slot (see wake-slot-2.lua).
   */
  wakeSlot(tenant: string, earliestMs: number, asked: string): Promise<number>;
  status(tenant: string): Promise<LimiterStatus>;
}

const DEFAULT_INFLIGHT_MS = 60_000;

const toMs = (us: number): number => us / 1000;
const ceilMs = (us: number): number => Math.ceil(us / 1000);

/**
 * The shared, multi-window API budget (see acquire-n.lua for the algorithm). State lives in Redis
 * and time comes from Redis, so every process on every host sees one budget and one clock.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { keys, safetyMs, inflightMs = DEFAULT_INFLIGHT_MS, clock } = options;
  if (options.windows.length === 0) throw new Error('the rate limiter needs at least one window');
  const windows = [...options.windows].sort((a, b) => a.windowMs - b.windowMs);
  const scripts = redisScripts(options.redis);
  const windowArgs = windows.flatMap((w) => [w.max, w.windowMs * 1000]);
  const nowArg = (): string => (clock ? String(Math.round(clock() * 1000)) : '');
  const budgetOf = options.budgetOf ?? ((tenant: string) => tenant);
  const windowKeys = (budget: string): string[] => windows.map((w) => keys.limiterWindow(budget, w.windowMs));

  function keysAndArgs(tenant: string): [number, ...(string | number)[]] {
    const budget = budgetOf(tenant);
    const keyList = [keys.limiterCooldown(budget), keys.limiterAdmitted(budget), ...windowKeys(budget)];
    return [keyList.length, ...keyList, safetyMs * 1000, nowArg(), inflightMs * 1000, ...windowArgs];
  }

  const wakeSpacingMs = sustainedSpacingMs(windows);

  return {
    windows,

    async acquire(tenant) {
      const [admitted, waitUs, blocking, nowUs, ticket] = await scripts.ipenrichAcquire(...keysAndArgs(tenant));
      if (admitted === 1) return { admitted: true, at: toMs(nowUs), ticket };
      const blockedBy = blocking === -1 ? 'cooldown' : windows[blocking - 1];
      if (blockedBy === undefined) throw new Error(`acquire-n.lua named an unknown window ${blocking}`);
      return { admitted: false, waitMs: ceilMs(waitUs), blockedBy, at: toMs(nowUs) };
    },

    async settle(tenant, ticket) {
      const windowList = windowKeys(budgetOf(tenant));
      await scripts.ipenrichSettle(windowList.length, ...windowList, ticket, nowArg());
    },

    async wakeSlot(tenant, earliestMs, asked) {
      // A passed slot is kept a long window, so a miss woken at it and refused again is recognised.
      const keepMs = Math.max(...windows.map((w) => w.windowMs));
      const budget = budgetOf(tenant);
      // Tenants sharing a budget still ask separately (each has its own cache): the tenant is part of what is asked.
      return scripts.ipenrichWakeSlot(keys.limiterWakeCursor(budget), keys.limiterWakeSlots(budget), Math.ceil(earliestMs), wakeSpacingMs, `${tenant}|${asked}`, keepMs, nowArg());
    },

    async setCooldown(tenant, durationMs) {
      return scripts.ipenrichCooldown(keys.limiterCooldown(budgetOf(tenant)), Math.max(0, Math.ceil(durationMs)), nowArg());
    },

    async status(tenant) {
      const reply = await scripts.ipenrichInspect(...keysAndArgs(tenant));
      const [nowUs = 0, cooldownUs = 0, admittedTotal = 0, inFlight = 0] = reply;
      const windowStatus = windows.map((w, i): WindowStatus => {
        const used = reply[4 + 2 * i] ?? 0;
        return { ...w, used, remaining: Math.max(0, w.max - used), freeInMs: ceilMs(reply[5 + 2 * i] ?? 0) };
      });
      const cooldownMs = ceilMs(cooldownUs);
      return {
        at: toMs(nowUs),
        windows: windowStatus,
        nextFreeInMs: Math.max(cooldownMs, ...windowStatus.map((w) => w.freeInMs)),
        cooldownMs,
        admittedTotal,
        inFlight,
      };
    },
  };
}
