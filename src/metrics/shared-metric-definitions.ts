/**
 * Metrics that happen in worker processes (Defender calls, limiter waits, sink deliveries, job
 * latency) are kept as shared counters in Redis: every process adds its counts there, and the
 * ingress `/metrics` reads the totals. One definition here serves both sides, so a writer and a
 * reader can never disagree on names, labels or buckets.
 */
export interface SharedCounterDefinition {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

export interface SharedHistogramDefinition extends SharedCounterDefinition {
  /** Upper bounds in seconds; `+Inf` is implicit. */
  readonly buckets: readonly number[];
}

export const API_CALLS = {
  name: 'ipenrich_api_calls_total',
  help: 'Defender IP statistics calls made by every worker, by tenant and outcome (seen, not_seen, or the error code).',
  labelNames: ['tenant', 'outcome'],
} as const satisfies SharedCounterDefinition;

export const LIMITER_WAITS = {
  name: 'ipenrich_limiter_waits_total',
  help: 'Times a lookup found the API budget exhausted, by tenant and kind (slept: waited in the slot; deferred: the job was delayed).',
  labelNames: ['tenant', 'kind'],
} as const satisfies SharedCounterDefinition;

export const LIMITER_WAIT_SECONDS = {
  name: 'ipenrich_limiter_wait_seconds_total',
  help: 'Seconds of waiting for API budget (slept) or of delay given to deferred jobs (deferred), by tenant and kind.',
  labelNames: ['tenant', 'kind'],
} as const satisfies SharedCounterDefinition;

export const SINK_DELIVERIES = {
  name: 'ipenrich_sink_deliveries_total',
  help: 'Deliveries of results to sinks, by tenant, sink and outcome (delivered, or the error code).',
  // By tenant: a tenant's sinks are its own (an MSSP's customer's receiver), and so are their failures.
  labelNames: ['tenant', 'sink', 'outcome'],
} as const satisfies SharedCounterDefinition;

/** The second source (docs/hunting.md): one query per batch; `outcome` is `ok` or the error code (HUNTING_THROTTLED: a 429). */
export const HUNTING_CALLS = {
  name: 'ipenrich_hunting_calls_total',
  help: 'Graph advanced hunting queries made by every worker, by tenant and outcome (ok, or the error code; HUNTING_THROTTLED is a 429).',
  labelNames: ['tenant', 'outcome'],
} as const satisfies SharedCounterDefinition;

/** IPs asked in hunting queries: divided by the calls, the IPs per call (an IP stats call asks one). */
export const HUNTING_IPS = {
  name: 'ipenrich_hunting_ips_total',
  help: 'IPs asked in Graph advanced hunting queries, by tenant (IPs per query = this / ipenrich_hunting_calls_total).',
  labelNames: ['tenant'],
} as const satisfies SharedCounterDefinition;

export const CACHE_REFRESHES = {
  name: 'ipenrich_cache_refreshes_total',
  help: 'Refresh-ahead attempts that reached the spare budget, by tenant and outcome (refreshed, no-budget, or the error code).',
  labelNames: ['tenant', 'outcome'],
} as const satisfies SharedCounterDefinition;

export const SHARED_COUNTERS: readonly SharedCounterDefinition[] = [API_CALLS, HUNTING_CALLS, HUNTING_IPS, LIMITER_WAITS, LIMITER_WAIT_SECONDS, SINK_DELIVERIES, CACHE_REFRESHES];

/** Budget deferrals can hold an alert for many minutes, hence buckets up to an hour. */
export const JOB_LATENCY = {
  name: 'ipenrich_job_latency_seconds',
  help: 'Time from an alert entering the queue to its result being delivered, by result (complete or partial).',
  labelNames: ['result'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
} as const satisfies SharedHistogramDefinition;

export const SHARED_HISTOGRAMS: readonly SharedHistogramDefinition[] = [JOB_LATENCY];

/**
 * Hash field of one label combination. JSON never holds a raw newline, so `\n` safely separates
 * the labels from a histogram's part (`b<index>` or `sum`).
 */
export function labelField(values: readonly string[]): string {
  return JSON.stringify(values);
}

export function histogramField(values: readonly string[], part: string): string {
  return `${labelField(values)}\n${part}`;
}

/** Index of the bucket an observation falls in (`buckets.length` for +Inf). */
export function bucketIndex(buckets: readonly number[], seconds: number): number {
  const index = buckets.findIndex((upper) => seconds <= upper);
  return index === -1 ? buckets.length : index;
}
