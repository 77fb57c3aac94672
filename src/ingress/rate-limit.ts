import { readFileSync } from 'node:fs';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';

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

interface RateScript {
  ipenrichIngressRate(key: string, intervalUs: number, toleranceUs: number): Promise<[number, number, number]>;
}

let lua: string | undefined;
const defined = new WeakSet<Redis>();

function rateScript(redis: Redis): RateScript {
  if (!defined.has(redis)) {
    lua ??= readFileSync(new URL('./lua/rate-1.lua', import.meta.url), 'utf8');
    redis.defineCommand('ipenrichIngressRate', { lua, numberOfKeys: 1 });
    defined.add(redis);
  }
  return redis as unknown as RateScript;
}

/**
 * `perMinute` requests per caller (INGRESS_RATE_PER_MINUTE), as a burst or spread out, enforced in
 * Redis (rate-1.lua) so the limit holds across every ingress replica.
 */
export function createIngressRateLimit(options: { redis: Redis; keys: KeySpace; perMinute: number }): IngressRateLimit {
  const { keys, perMinute } = options;
  const intervalUs = Math.max(1, Math.round(60_000_000 / perMinute));
  const toleranceUs = intervalUs * (perMinute - 1);
  const script = rateScript(options.redis);
  return {
    async take(callerId) {
      const [admitted, waitUs, aheadUs] = await script.ipenrichIngressRate(keys.ingressRate(callerId), intervalUs, toleranceUs);
      const remaining = aheadUs > toleranceUs ? 0 : Math.floor((toleranceUs - aheadUs) / intervalUs) + 1;
      return { admitted: admitted === 1, retryAfterMs: Math.ceil(waitUs / 1000), remaining: Math.min(remaining, perMinute), limit: perMinute };
    },
  };
}
