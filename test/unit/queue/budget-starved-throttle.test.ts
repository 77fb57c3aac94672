import { describe, expect, it } from 'vitest';
import { BudgetStarvedThrottle, type AttemptEnd } from '../../../src/queue/budget-starved-throttle.js';

/** Records `count` attempts of `tenant`; returns the concurrency the last one asked for. */
function record(throttle: BudgetStarvedThrottle, tenant: string, deferredForBudget: boolean | 'other', count = 1): number {
  const end: AttemptEnd = deferredForBudget === 'other' ? 'other' : deferredForBudget ? 'waits-for-budget' : 'answered';
  let concurrency = 0;
  for (let i = 0; i < count; i++) concurrency = throttle.record(tenant, end);
  return concurrency;
}

describe('BudgetStarvedThrottle', () => {
  it('takes fewer jobs at once while most attempts wait for budget and another tenant is being answered', () => {
    let now = 0;
    const throttle = new BudgetStarvedThrottle(8, 2, () => now);
    expect(record(throttle, 'b', false)).toBe(8);
    expect(record(throttle, 'a', true, 30)).toBe(8); // 31 attempts seen: too few to judge
    expect(record(throttle, 'a', true)).toBe(2);
    now += 30_000;
    expect(record(throttle, 'a', true, 10)).toBe(2);
    // b answered again: still throttled, its clock starts again.
    expect(record(throttle, 'b', false)).toBe(2);
    now += 59_999;
    expect(record(throttle, 'a', true)).toBe(2);
    now += 1;
    // Nobody else answered for a minute: the starved backlog gets every slot again.
    expect(record(throttle, 'a', true)).toBe(8);
  });

  it('keeps every slot for a single tenant whose backlog is starved, its own answered alerts included', () => {
    const throttle = new BudgetStarvedThrottle(8, 2, () => 0);
    for (let round = 0; round < 20; round++) {
      expect(record(throttle, 'a', true, 4)).toBe(8);
      expect(record(throttle, 'a', false)).toBe(8);
    }
  });

  it('lets go once fewer than three in four of the latest attempts wait for budget', () => {
    const throttle = new BudgetStarvedThrottle(8, 2, () => 0);
    record(throttle, 'b', false);
    expect(record(throttle, 'a', true, 32)).toBe(2);
    // 24 of the latest 32 deferred: still starved; 23: not.
    expect(record(throttle, 'b', false, 8)).toBe(2);
    expect(record(throttle, 'b', false)).toBe(8);
  });

  it('does not count another tenant\'s attempt that was not answered (a retry, a sink outage) as that tenant being served', () => {
    const throttle = new BudgetStarvedThrottle(8, 2, () => 0);
    record(throttle, 'b', 'other', 4);
    expect(record(throttle, 'a', true, 32)).toBe(8);
    record(throttle, 'b', false);
    expect(record(throttle, 'a', true)).toBe(2);
  });

  it('never asks for more than the configured concurrency', () => {
    const throttle = new BudgetStarvedThrottle(1, 2, () => 0);
    record(throttle, 'b', false);
    expect(record(throttle, 'a', true, 32)).toBe(1);
  });
});
