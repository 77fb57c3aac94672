import { describe, expect, it } from 'vitest';
import { budgetEtaMs } from '../../src/status/budget-eta.js';

describe('budgetEtaMs', () => {
  const windows = [
    { max: 100, windowMs: 60_000, remaining: 40 },
    { max: 1500, windowMs: 3_600_000, remaining: 1000 },
  ];

  it('is zero when the remaining budget covers the backlog', () => {
    expect(budgetEtaMs(windows, 0)).toBe(0);
    expect(budgetEtaMs(windows, 40)).toBe(0);
  });

  it('is bound by the minute window for a small backlog and by the hour window for a large one', () => {
    expect(budgetEtaMs(windows, 41)).toBe(60_000);
    expect(budgetEtaMs(windows, 240)).toBe(120_000);
    expect(budgetEtaMs(windows, 1001)).toBe(3_600_000);
    expect(budgetEtaMs(windows, 4000)).toBe(2 * 3_600_000);
  });

  it('adds a shared 429 cooldown', () => {
    expect(budgetEtaMs(windows, 41, 5_000)).toBe(65_000);
  });
});
