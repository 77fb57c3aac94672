import type { IpStatsRecord } from '../ip-stats.js';

export interface PrevalenceRequest {
  /** Canonical IPs, distinct. */
  readonly ips: readonly string[];
  readonly lookBackHours: number;
  readonly signal?: AbortSignal;
}

/**
 * The port the hunting route calls for one tenant's advanced hunting: one query answers a whole
 * batch. Implementations throw IpenrichError (HUNTING_* codes) and never retry 429 themselves: the
 * shared limiter owns the budget.
 */
export interface HuntingClient {
  /** One record per requested IP, in request order; an IP with no row is `seen: false`, prevalence 0. */
  prevalence(request: PrevalenceRequest): Promise<IpStatsRecord[]>;
  /** Resolves when a call could be sent now (the client has its token); else throws what the call would. */
  ready?(signal?: AbortSignal): Promise<void>;
}
