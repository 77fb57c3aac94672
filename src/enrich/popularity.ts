import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';

/** One cache key as the popularity set names it, with its decayed request count. */
export interface PopularKey {
  readonly ip: string;
  readonly lookBackHours: number;
  readonly score: number;
}

/**
 * How often each cache key is asked for, per tenant, decayed over time (popularity-2.lua): what
 * refresh-ahead refreshes first. A tenant's requests count only in its own set.
 */
export interface Popularity {
  /**
   * Counts one request for each IP. Fire and forget: one script call per batch, not awaited, so on
   * an auto-pipelined connection it rides along with the batch's cache lookup.
   */
  note(tenant: string, ips: readonly string[], lookBackHours: number): void;
  /** `count` keys by popularity from rank `start` (0: the most popular), most popular first. */
  top(tenant: string, count: number, start?: number): Promise<PopularKey[]>;
}

export interface PopularityOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  /** A request counts half after this long (the fresh TTL of seen IPs: a day). */
  readonly halfLifeMs: number;
  /** Most keys kept per tenant; the least popular go first. */
  readonly maxKeys: number;
  /** Tenants whose requests are counted (those that refresh ahead); the others cost nothing. */
  readonly counts: (tenant: string) => boolean;
  readonly now?: () => number;
  readonly logger?: Logger;
}

const member = (ip: string, lookBackHours: number): string => `${lookBackHours}|${ip}`;

function parseMember(text: string, score: string): PopularKey | undefined {
  const bar = text.indexOf('|');
  const lookBackHours = Number(text.slice(0, bar));
  if (bar < 1 || !Number.isInteger(lookBackHours)) return undefined;
  return { ip: text.slice(bar + 1), lookBackHours, score: Number(score) };
}

export function createPopularity(options: PopularityOptions): Popularity {
  const { redis, keys, halfLifeMs, maxKeys, counts, logger } = options;
  const now = options.now ?? Date.now;
  const scripts = redisScripts(redis);
  return {
    note(tenant, ips, lookBackHours) {
      if (ips.length === 0 || !counts(tenant)) return;
      const asked = ips.map((ip) => member(ip, lookBackHours));
      scripts
        .ipenrichPopularity(keys.refreshPopularity(tenant), keys.refreshPopularityBase(tenant), Math.round(now()), halfLifeMs, maxKeys, ...asked)
        .catch((error: unknown) => logger?.debug({ err: error, tenant }, 'popularity not counted'));
    },

    async top(tenant, count, start = 0) {
      const flat = await redis.zrevrange(keys.refreshPopularity(tenant), start, start + count - 1, 'WITHSCORES');
      const found: PopularKey[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const parsed = parseMember(flat[i] ?? '', flat[i + 1] ?? '0');
        if (parsed) found.push(parsed);
      }
      return found;
    },
  };
}
