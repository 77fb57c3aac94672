import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxInAnyInterval, withMargin } from '../../../bench/budget/sliding-windows.js';
import { createRateLimiter } from '../../../src/enrich/limiter.js';
import type { RateWindow } from '../../../src/enrich/rate-windows.js';
import { createSpareBudget, refreshCeiling } from '../../../src/enrich/spare-budget.js';
import { useRedisSuite } from '../../support/redis-suite.js';

/** A clock the test moves by hand, standing in for Redis TIME. */
function manualClock(start = 1_700_000_000_000): { now: () => number; set: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (ms) => void (current = ms) };
}

describe('spare budget for refresh-ahead (real Redis)', () => {
  const suite = useRedisSuite('spare');
  const { keys, tenant } = suite;

  function budgets(windows: RateWindow[], clock: () => number) {
    const common = { redis: suite.redis(), keys, windows, safetyMs: 0, inflightMs: 60_000, clock };
    return { limiter: createRateLimiter(common), spare: createSpareBudget(common) };
  }

  it('refreshes fill a window only to its ceiling, and the real misses that come next are admitted at once up to the max', async () => {
    const clock = manualClock();
    const { limiter, spare } = budgets([{ max: 4, windowMs: 60_000 }, { max: 10, windowMs: 600_000 }], clock.now);
    const name = tenant();
    // 50 %: the short window may hold 2 calls once a refresh counts.
    expect(await spare.acquire(name, 50)).toMatchObject({ admitted: true });
    expect(await spare.acquire(name, 50)).toMatchObject({ admitted: true });
    expect(await spare.acquire(name, 50)).toEqual({ admitted: false, blockedBy: { max: 4, windowMs: 60_000 }, retryInMs: 60_000 });
    // The refreshes are in the limiter's own logs: real misses get exactly the rest of the window.
    expect((await limiter.acquire(name)).admitted).toBe(true);
    expect((await limiter.acquire(name)).admitted).toBe(true);
    expect(await limiter.acquire(name)).toMatchObject({ admitted: false, blockedBy: { max: 4, windowMs: 60_000 } });
    expect((await limiter.status(name)).windows.map((w) => w.used)).toEqual([4, 4]);
  });

  it('never takes a window\'s last call, whatever the percent', async () => {
    const clock = manualClock();
    const windows = [{ max: 3, windowMs: 60_000 }];
    const { limiter, spare } = budgets(windows, clock.now);
    const name = tenant();
    expect(refreshCeiling({ max: 3, windowMs: 60_000 }, 100)).toBe(2);
    expect(refreshCeiling({ max: 1, windowMs: 60_000 }, 90)).toBe(0);
    expect((await spare.acquire(name, 100)).admitted).toBe(true);
    expect((await spare.acquire(name, 100)).admitted).toBe(true);
    expect((await spare.acquire(name, 100)).admitted).toBe(false);
    expect((await limiter.acquire(name)).admitted).toBe(true);
  });

  it('takes nothing while a starved miss waits for its wake-up slot or a 429 cooldown runs', async () => {
    const clock = manualClock();
    const windows = [{ max: 10, windowMs: 10_000 }];
    const { limiter, spare } = budgets(windows, clock.now);
    const name = tenant();
    const t0 = clock.now();
    // A miss the budget could not serve was handed a slot 5 s from now.
    await limiter.wakeSlot(name, t0 + 5_000, '192.0.2.1|720');
    expect(await spare.acquire(name, 90)).toEqual({ admitted: false, blockedBy: 'miss-waiting', retryInMs: 0 });
    // Its slot came, and it may be retrying for one sustained slot (1 s) more.
    clock.set(t0 + 5_900);
    expect(await spare.acquire(name, 90)).toMatchObject({ admitted: false, blockedBy: 'miss-waiting' });
    clock.set(t0 + 6_100);
    expect((await spare.acquire(name, 90)).admitted).toBe(true);
    await limiter.setCooldown(name, 2_000);
    expect(await spare.acquire(name, 90)).toEqual({ admitted: false, blockedBy: 'cooldown', retryInMs: 0 });
  });

  it('keeps every window exact for refreshes and real misses together (any interleaving)', async () => {
    const windows: RateWindow[] = [{ max: 3, windowMs: 1_000 }, { max: 7, windowMs: 5_000 }];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 700 }), refresh: fc.boolean(), percent: fc.integer({ min: 0, max: 100 }) }), { maxLength: 60 }), async (steps) => {
        const clock = manualClock();
        const { limiter, spare } = budgets(windows, clock.now);
        const name = tenant();
        const admitted: number[] = [];
        let at = clock.now();
        for (const step of steps) {
          at += step.gapMs;
          clock.set(at);
          const answer = step.refresh ? await spare.acquire(name, step.percent) : await limiter.acquire(name);
          if (!answer.admitted) continue;
          admitted.push(at);
          await limiter.settle(name, answer.ticket);
        }
        for (const w of withMargin(windows, 0)) expect(maxInAnyInterval(admitted, w.windowMs)).toBeLessThanOrEqual(w.max);
      }),
      { numRuns: 40 },
    );
  });
});
