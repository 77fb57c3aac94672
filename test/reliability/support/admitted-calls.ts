import type { RateWindow } from '../../../src/enrich/rate-windows.js';
import type { DefenderCounters } from '../../../src/emulators/defender.js';

/** Counters the Defender emulator bumps, in the same tick, for a call its rate limit let through. */
const ADMITTED_OUTCOMES = ['servedCalls', 'serverErrors', 'hung', 'badRequests'] as const;

/**
 * The times (epoch ms) at which the Defender emulator admitted calls. The emulator runs in the test
 * process, so its live counters are watched: each admitted call ends in exactly one of the counters
 * above, bumped synchronously right after the admission.
 */
export function recordAdmissions(counters: DefenderCounters, clock: () => number = Date.now): readonly number[] {
  const times: number[] = [];
  for (const field of ADMITTED_OUTCOMES) {
    let value = counters[field];
    Object.defineProperty(counters, field, {
      configurable: true,
      enumerable: true,
      get: () => value,
      set: (next: number) => {
        for (let i = value; i < next; i += 1) times.push(clock());
        value = next;
      },
    });
  }
  return times;
}

/** The most calls that fell in any one sliding window (t − windowMs, t] of `times`. */
export function maxInSlidingWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[start] ?? 0) <= (sorted[end] ?? 0) - windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export interface WindowUse {
  readonly window: RateWindow;
  readonly most: number;
}

export function windowUse(times: readonly number[], windows: readonly RateWindow[]): WindowUse[] {
  return windows.map((window) => ({ window, most: maxInSlidingWindow(times, window.windowMs) }));
}
