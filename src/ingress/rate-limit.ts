import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';

export interface RateDecision {
  readonly admitted: boolean;
  /** Milliseconds until the next request would be admitted (0 when admitted). */
  readonly retryAfterMs: number;
  /** Requests the caller may still send right now. */
  readonly remaining: number;
  readonly limit: number;
}

export interface IngressRateLimit {
  take(callerId: string): Promise<RateDecision>;
}

/**
 * `perMinute` requests per caller (INGRESS_RATE_PER_MINUTE), as a burst or spread out, enforced in
 * Redis (rate-1.lua) so the limit holds across every ingress replica.
 */
export function createIngressRateLimit(options: { redis: Redis; keys: KeySpace; perMinute: number }): IngressRateLimit {
  const { keys, perMinute } = options;
  const intervalUs = Math.max(1, Math.round(60_000_000 / perMinute));
  const toleranceUs = intervalUs * (perMinute - 1);
  const scripts = redisScripts(options.redis);
  return {
    async take(callerId) {
      const [admitted, waitUs, aheadUs] = await scripts.ipenrichIngressRate(keys.ingressRate(callerId), intervalUs, toleranceUs);
      const remaining = aheadUs > toleranceUs ? 0 : Math.floor((toleranceUs - aheadUs) / intervalUs) + 1;
      return { admitted: admitted === 1, retryAfterMs: Math.ceil(waitUs / 1000), remaining: Math.min(remaining, perMinute), limit: perMinute };
    },
  };
}
