/**
 * Normalized severities, most urgent first. Alerts without a severity (or an unknown one) rank with
 * medium ones.
 */
export const SEVERITIES = ['high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityOf(severity: string | null): Severity {
  return SEVERITIES.find((known) => known === severity) ?? 'medium';
}

/**
 * BullMQ priority (1 is served first) from the severity alone: higher-severity alerts go first, one
 * tenant's backlog before another's later alerts. The order before fair share, kept as a baseline.
 */
export function priorityFor(severity: string | null): number {
  return SEVERITIES.indexOf(severityOf(severity)) + 1;
}

/**
 * A job that only waits to catch up a sink that is down: served after every new alert (BullMQ's
 * lowest priority). Keeping its severity's priority would let a backlog of high-severity retries,
 * each due again within the retry delay, keep lower-severity alerts from reaching any sink.
 */
export const SINK_RETRY_PRIORITY = 2 ** 21;

/**
 * Fair share: BullMQ priority from the job's rank among its tenant's pending jobs at least as urgent
 * (pending-rank-5.lua). Every tenant's first pending alert of a severity competes in round 1, its
 * second in round 2: round robin across tenants whatever their backlog, severity order within a
 * round. Capped below SINK_RETRY_PRIORITY, which stays last.
 */
export function fairPriority(rank: number, severity: string | null): number {
  return Math.min(rank * SEVERITIES.length + SEVERITIES.indexOf(severityOf(severity)), SINK_RETRY_PRIORITY - 1);
}
