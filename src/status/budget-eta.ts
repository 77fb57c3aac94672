export interface WindowBudget {
  readonly max: number;
  readonly windowMs: number;
  readonly remaining: number;
}

/**
 * How long the budget needs for `calls` more API calls, assuming the limiter admits them as fast
 * as every window allows: each window serves its remaining calls now and `max` more per length.
 * An estimate for operators (`status`), not a promise: the real order depends on arrivals.
 */
export function budgetEtaMs(windows: readonly WindowBudget[], calls: number, cooldownMs = 0): number {
  if (calls <= 0) return 0;
  let eta = 0;
  for (const window of windows) {
    const beyond = calls - window.remaining;
    if (beyond > 0) eta = Math.max(eta, Math.ceil(beyond / window.max) * window.windowMs);
  }
  return eta + cooldownMs;
}
