import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earliestFit, maxAdmissions, maxInAnyInterval, withMargin } from '../../../bench/budget/sliding-windows.js';

const windowsArb = fc
  .array(fc.record({ max: fc.integer({ min: 1, max: 6 }), windowMs: fc.integer({ min: 10, max: 500 }) }), { minLength: 1, maxLength: 3 })
  .map((ws) => ws.sort((a, b) => a.windowMs - b.windowMs));

describe('sliding-window reference arithmetic', () => {
  it('counts the fullest half-open interval', () => {
    expect(maxInAnyInterval([], 100)).toBe(0);
    expect(maxInAnyInterval([0, 50, 99], 100)).toBe(3);
    // 0 and 100 are exactly one window apart: never in the same [s, s + 100).
    expect(maxInAnyInterval([0, 100, 200], 100)).toBe(1);
    expect(maxInAnyInterval([300, 0, 10, 290, 20], 100)).toBe(3);
  });

  it('greedy schedule from earliestFit never overfills any window, and maxAdmissions counts it', () => {
    fc.assert(
      fc.property(windowsArb, fc.integer({ min: 0, max: 2_000 }), (windows, horizon) => {
        const schedule: number[] = [];
        for (let at = 0; ; ) {
          at = earliestFit(schedule, windows, at);
          if (at > horizon) break;
          schedule.push(at);
        }
        for (const w of windows) expect(maxInAnyInterval(schedule, w.windowMs)).toBeLessThanOrEqual(w.max);
        expect(maxAdmissions(windows, 0, horizon)).toBe(schedule.length);
      }),
      { numRuns: 200 },
    );
  });

  it('widens windows by the margin, lowering what fits', () => {
    const windows = [{ max: 2, windowMs: 100 }];
    expect(withMargin(windows, 25)).toEqual([{ max: 2, windowMs: 125 }]);
    expect(maxAdmissions(windows, 0, 300)).toBe(8);
    expect(maxAdmissions(withMargin(windows, 25), 0, 300)).toBe(6);
  });
});
