import type { RateWindow } from '../../src/enrich/rate-windows.js';

/**
 * Reference arithmetic of sliding windows, written independently of the Lua script so tests and the
 * benchmark can check the limiter against it. Times are epoch ms (fractions allowed).
 */

/** The most timestamps that fall in any half-open interval [s, s + lengthMs). */
export function maxInAnyInterval(timestamps: readonly number[], lengthMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= lengthMs) first += 1;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

/** True when `at` is allowed after `admitted` by every window: fewer than max admissions in (at - span, at]. */
function fits(admitted: readonly number[], windows: readonly RateWindow[], at: number): boolean {
  return windows.every((w) => admitted.filter((t) => t > at - w.windowMs && t <= at).length < w.max);
}

/**
 * The earliest time ≥ `from` at which one more call fits, found by trying every moment at which the
 * answer can change (some admission leaving some window).
 */
export function earliestFit(admitted: readonly number[], windows: readonly RateWindow[], from: number): number {
  const candidates = [from, ...admitted.flatMap((t) => windows.map((w) => t + w.windowMs))].filter((t) => t >= from).sort((a, b) => a - b);
  const found = candidates.find((t) => fits(admitted, windows, t));
  if (found === undefined) throw new Error('no admission time fits; the windows are inconsistent');
  return found;
}

/**
 * How many calls the windows allow in [from, to] to a caller that calls the moment a slot opens
 * (greedy is optimal for sliding windows: admitting earlier never delays a later admission).
 * Greedy admissions only grow, so the next slot of a full window is its max-th most recent
 * admission plus the window; unit tests check this against `earliestFit`.
 */
export function maxAdmissions(windows: readonly RateWindow[], from: number, to: number): number {
  const admitted: number[] = [];
  for (;;) {
    let at = Math.max(from, admitted.at(-1) ?? from);
    for (const w of windows) {
      const blocking = admitted[admitted.length - w.max];
      if (blocking !== undefined) at = Math.max(at, blocking + w.windowMs);
    }
    if (at > to) return admitted.length;
    admitted.push(at);
  }
}

/** Windows widened by the limiter's safety margin: what the limiter itself enforces. */
export function withMargin(windows: readonly RateWindow[], safetyMs: number): RateWindow[] {
  return windows.map((w) => ({ max: w.max, windowMs: w.windowMs + safetyMs }));
}
