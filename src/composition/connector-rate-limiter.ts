import { createRateLimiter } from '../enrich/limiter.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { RateLimitWindow, SharedRateLimiter } from '../sinks/connector.js';

/** Admitted calls count as in flight this long at most (a connector call's own timeout is shorter). */
const INFLIGHT_MS = 120_000;

/**
 * A connector's shared rate limit on the Defender budget's limiter (src/enrich/limiter.ts): same Lua,
 * same Redis time, its own keys (`<connector>:<name>:<key>`; tenant names hold no ':' so they never meet).
 */
export function connectorRateLimiter(redis: Redis, keys: KeySpace, scope: string, windows: readonly RateLimitWindow[]): SharedRateLimiter {
  const limiter = createRateLimiter({ redis, keys, windows, safetyMs: 0, inflightMs: INFLIGHT_MS });
  const keyFor = (key: string): string => `${scope}:${key}`;
  return {
    async acquire(key) {
      const admission = await limiter.acquire(keyFor(key));
      return admission.admitted ? { admitted: true, ticket: admission.ticket } : { admitted: false, waitMs: admission.waitMs };
    },
    settle: (key, ticket) => limiter.settle(keyFor(key), ticket),
    async cooldown(key, durationMs) {
      await limiter.setCooldown(keyFor(key), durationMs);
    },
  };
}
