import { API_CALLS, HUNTING_CALLS, HUNTING_IPS } from '../metrics/shared-metric-definitions.js';
import type { SharedSnapshot } from '../metrics/read-shared-metrics.js';

/** One source's work for a tenant, summed over every process since the counters began. */
export interface SourceCounts {
  readonly calls: number;
  /** IPs asked: one per IP stats call, a batch per hunting query. */
  readonly ips: number;
  /** Calls answered 429. */
  readonly throttled: number;
}

/** A shared counter summed over the samples whose labels match. */
export const counterTotal = (snapshot: SharedSnapshot, metric: string, match: (labels: Readonly<Record<string, string>>) => boolean): number =>
  (snapshot.counters.get(metric) ?? []).filter((sample) => match(sample.labels)).reduce((total, sample) => total + sample.value, 0);

/** Calls, IPs and 429s per source for one tenant, from the shared counters `/metrics` also exposes. */
export function sourceCounts(snapshot: SharedSnapshot, tenant: string): { ipstats: SourceCounts; hunting: SourceCounts } {
  const ipstatsCalls = counterTotal(snapshot, API_CALLS.name, (labels) => labels.tenant === tenant);
  return {
    ipstats: {
      calls: ipstatsCalls,
      ips: ipstatsCalls,
      throttled: counterTotal(snapshot, API_CALLS.name, (labels) => labels.tenant === tenant && labels.outcome === 'MDE_THROTTLED'),
    },
    hunting: {
      calls: counterTotal(snapshot, HUNTING_CALLS.name, (labels) => labels.tenant === tenant),
      ips: counterTotal(snapshot, HUNTING_IPS.name, (labels) => labels.tenant === tenant),
      throttled: counterTotal(snapshot, HUNTING_CALLS.name, (labels) => labels.tenant === tenant && labels.outcome === 'HUNTING_THROTTLED'),
    },
  };
}
