/**
 * BullMQ priority (1 is served first) from the alert's normalized severity: higher-severity alerts
 * go first when budget is short. Alerts without a severity rank with medium ones.
 */
const PRIORITY: Record<string, number> = { high: 1, medium: 2, low: 3, informational: 4 };

export function priorityFor(severity: string | null): number {
  return (severity === null ? undefined : PRIORITY[severity]) ?? PRIORITY.medium ?? 2;
}

/**
 * A job whose result is built and delivered to the sinks that are up, and that only waits to catch
 * up a sink that is down: served after every new alert (BullMQ's lowest priority). Keeping its
 * severity's priority would let a backlog of high-severity retries, each due again within the retry
 * delay, keep lower-severity alerts from reaching any sink.
 */
export const SINK_RETRY_PRIORITY = 2 ** 21;
