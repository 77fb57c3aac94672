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
   * Counts one request for each IP, in memory: the counts reach Redis within `flushMs`, one script
   * call per tenant (a call per lookup was seven Redis commands per alert on the worker's hot path).
   * A process that stops loses at most that much: popularity is a ranking, not a record.
   */
  note(tenant: string, ips: readonly string[], lookBackHours: number): void;
  /** Writes the counts gathered so far (tests; the timer does it otherwise). */
  flush(): Promise<void>;
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
  /** How long counts gather in memory before they are written (default 1 s). */
  readonly flushMs?: number;
}

const DEFAULT_FLUSH_MS = 1_000;

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
  /** Tenant → member → times asked since the last flush. */
  let pending = new Map<string, Map<string, number>>();
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    await Promise.all(
      [...batch].map(async ([tenant, asked]) => {
        const pairs = [...asked].flatMap(([key, times]) => [key, String(times)]);
        await scripts
          .ipenrichPopularity(keys.refreshPopularity(tenant), keys.refreshPopularityBase(tenant), Math.round(now()), halfLifeMs, maxKeys, ...pairs)
          .catch((error: unknown) => logger?.debug({ err: error, tenant }, 'popularity not counted'));
      }),
    );
  }

  return {
    note(tenant, ips, lookBackHours) {
      if (ips.length === 0 || !counts(tenant)) return;
      let asked = pending.get(tenant);
      if (!asked) {
        asked = new Map();
        pending.set(tenant, asked);
      }
      for (const ip of ips) {
        const key = member(ip, lookBackHours);
        asked.set(key, (asked.get(key) ?? 0) + 1);
      }
      // Runs only while there is something to write, so an idle process (or a test) holds no timer.
      if (!timer) {
        timer = setTimeout(() => void flush(), options.flushMs ?? DEFAULT_FLUSH_MS);
        timer.unref();
      }
    },

    flush,

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
