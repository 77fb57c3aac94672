/**
 * BullMQ priority (1 is served first) from the alert's normalized severity: higher-severity alerts
 * go first when budget is short. Alerts without a severity rank with medium ones.
 */
const PRIORITY: Record<string, number> = { high: 1, medium: 2, low: 3, informational: 4 };

export function priorityFor(severity: string | null): number {
  return (severity === null ? undefined : PRIORITY[severity]) ?? PRIORITY.medium ?? 2;
}
