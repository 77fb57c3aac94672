import type { RateWindow } from '../../src/enrich/rate-windows.js';
import type { IpEnrichment } from '../../src/enrich/enricher.js';
import type { IpStatsClient, IpStatsRecord } from '../../src/enrich/ip-stats.js';
import { hasCode, toIpenrichError } from '../../src/errors.js';
import { earliestFit } from './sliding-windows.js';

/**
 * The benchmark's baseline: what connectors commonly do. Each process enforces every window on its
 * own (in memory), caches in memory, has no coalescing, and honours a 429's Retry-After only itself.
 */
export function createPerProcessEnricher(options: {
  client: IpStatsClient;
  windows: readonly RateWindow[];
  lookBackHours: number;
}): (ip: string, deadline: number) => Promise<IpEnrichment> {
  const { client, windows, lookBackHours } = options;
  const cache = new Map<string, IpStatsRecord>();
  const admitted: number[] = [];
  let pausedUntil = 0;

  const answer = (record: IpStatsRecord, cached: boolean): IpEnrichment => ({ ip: record.ip, status: record.seen ? 'enriched' : 'not_seen', record, cached });

  return async (ip, deadline) => {
    const hit = cache.get(ip);
    if (hit) return answer(hit, true);
    const now = Date.now();
    const longest = Math.max(...windows.map((w) => w.windowMs));
    while (admitted.length > 0 && (admitted[0] ?? 0) <= now - longest) admitted.shift();
    const at = Math.max(pausedUntil, earliestFit(admitted, windows, now));
    if (at > now) {
      if (at > deadline) return { ip, status: 'deferred', cached: false, retryAt: at };
      await new Promise((resolve) => setTimeout(resolve, at - now));
    }
    admitted.push(Date.now());
    try {
      const record = await client.getIpStats({ ip, lookBackHours });
      cache.set(ip, record);
      return answer(record, false);
    } catch (error) {
      if (hasCode(error, 'MDE_THROTTLED')) {
        pausedUntil = Date.now() + (error.retryAfterMs ?? 1_000);
        return { ip, status: 'deferred', cached: false, retryAt: pausedUntil };
      }
      const failure = toIpenrichError(error);
      return { ip, status: 'error', cached: false, error: failure };
    }
  };
}
