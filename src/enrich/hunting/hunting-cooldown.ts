import type { IpenrichError } from '../../errors.js';

export interface CooldownContext {
  /** Host clock, epoch ms. */
  readonly now: number;
  /** GRAPH_HUNTING_CPU_CYCLE_S in ms (15 minutes in production). */
  readonly cpuCycleMs: number;
  /** The shortest hunting window plus the safety margin. */
  readonly shortestWindowMs: number;
  readonly safetyMs: number;
}

/**
 * How long hunting pauses for a tenant after a 429. Graph: "Queries are blocked if the tenant has
 * reached 100% of the allocated resources until after the next 15-minute cycle", and the 429 body
 * says whether calls or CPU ran out; Retry-After is not promised
 * (https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting; docs/hunting.md, "Budget and quotas").
 * - Retry-After, when sent, wins.
 * - Calls per minute: the shortest window.
 * - CPU, or a body that names neither: until the next cycle boundary. UNCONFIRMED that cycles are
 *   aligned to the clock's quarter hours; if they are not, the first query after the pause may get
 *   another 429, which pauses again (never more than one query per cycle is spent so).
 */
export function huntingCooldownMs(error: IpenrichError, context: CooldownContext): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs + context.safetyMs;
  if (error.details?.limit === 'calls') return context.shortestWindowMs;
  const { now, cpuCycleMs } = context;
  return cpuCycleMs - (now % cpuCycleMs) + context.safetyMs;
}
