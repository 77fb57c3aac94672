import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { earliestFit, withMargin } from '../../../bench/budget/sliding-windows.js';
import type { RateWindow } from '../../../src/enrich/rate-windows.js';
import { createRateLimiter, type Admission, type RateLimiter } from '../../../src/enrich/limiter.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

/** A clock the test moves by hand, standing in for Redis TIME so boundaries can be probed to the microsecond. */
function manualClock(start = 1_700_000_000_000): { now: () => number; set: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (ms) => void (current = ms) };
}

describe('rate limiter (real Redis)', () => {
  const prefix = uniquePrefix('limiter');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let tenantSeq = 0;
  const tenant = (): string => `t${(tenantSeq += 1)}`;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  function limiter(windows: RateWindow[], safetyMs: number, clock?: () => number): RateLimiter {
    return createRateLimiter({ redis, keys, windows, safetyMs, inflightMs: 60_000, ...(clock ? { clock } : {}) });
  }

  /** Acquires and, when admitted, settles at once: a call whose answer came back immediately. */
  async function call(lim: RateLimiter, name: string): Promise<Admission> {
    const answer = await lim.acquire(name);
    if (answer.admitted) await lim.settle(name, answer.ticket);
    return answer;
  }

  it('admits only while every window has room, and a refusal consumes nothing', async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const lim = limiter([{ max: 3, windowMs: 1_000 }, { max: 5, windowMs: 10_000 }], 0, clock.now);
    const name = tenant();
    for (let i = 0; i < 3; i += 1) expect((await call(lim, name)).admitted).toBe(true);
    for (let i = 0; i < 20; i += 1) {
      const refused = await lim.acquire(name);
      expect(refused).toMatchObject({ admitted: false, waitMs: 1_000, blockedBy: { max: 3, windowMs: 1_000 } });
    }
    const status = await lim.status(name);
    expect(status.admittedTotal).toBe(3);
    expect(status.windows.map((w) => w.used)).toEqual([3, 3]);
    expect(await redis.zcard(keys.limiterWindow(name, 10_000))).toBe(3);

    // The short window frees at t0 + 1 s; the long one then fills at 5 and refuses until t0 + 10 s.
    clock.set(t0 + 1_000);
    expect((await call(lim, name)).admitted).toBe(true);
    expect((await call(lim, name)).admitted).toBe(true);
    clock.set(t0 + 1_500);
    expect(await lim.acquire(name)).toMatchObject({ admitted: false, waitMs: 8_500, blockedBy: { max: 5, windowMs: 10_000 } });
    const full = await lim.status(name);
    expect(full.windows).toEqual([
      { max: 3, windowMs: 1_000, used: 2, remaining: 1, freeInMs: 0 },
      { max: 5, windowMs: 10_000, used: 5, remaining: 0, freeInMs: 8_500 },
    ]);
    expect(full.nextFreeInMs).toBe(8_500);
    expect(full.admittedTotal).toBe(5);
  });

  it('answers the exact wait (Lua) that an independent brute-force model computes, to the microsecond', async () => {
    // Injected time is free to be long: Redis still expires the logs on its own clock (a window past
    // the newest entry), so windows must outlast the real duration of one run even on a busy machine.
    const windowsArb = fc
      .array(fc.record({ max: fc.integer({ min: 1, max: 4 }), windowMs: fc.integer({ min: 2_000, max: 40_000 }) }), { minLength: 1, maxLength: 3 })
      .map((ws) => ws.sort((a, b) => a.windowMs - b.windowMs));
    await fc.assert(
      fc.asyncProperty(
        windowsArb,
        fc.integer({ min: 0, max: 4_000 }),
        fc.array(fc.integer({ min: 0, max: 15_000 }), { minLength: 5, maxLength: 25 }),
        async (windows, safetyMs, steps) => {
          const clock = manualClock();
          const lim = limiter(windows, safetyMs, clock.now);
          const name = tenant();
          const effective = withMargin(windows, safetyMs);
          const admitted: number[] = [];
          let at = clock.now();
          for (const step of steps) {
            at += step;
            clock.set(at);
            const expectedAt = earliestFit(admitted, effective, at);
            const answer = await call(lim, name);
            if (expectedAt === at) {
              expect(answer.admitted).toBe(true);
              admitted.push(at);
              continue;
            }
            expect(answer).toMatchObject({ admitted: false, waitMs: expectedAt - at });
            if (answer.admitted) continue;
            // One microsecond early is still refused; exactly on time is admitted.
            clock.set(at + answer.waitMs - 0.001);
            expect(await lim.acquire(name)).toMatchObject({ admitted: false, waitMs: 1 });
            at += answer.waitMs;
            clock.set(at);
            expect((await call(lim, name)).admitted).toBe(true);
            admitted.push(at);
          }
          expect((await lim.status(name)).admittedTotal).toBe(admitted.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('waiting the returned ms is admitted, waiting less is still refused, and the answer does not drift', async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const lim = limiter([{ max: 3, windowMs: 300 }, { max: 5, windowMs: 1_200 }], 20, clock.now);
    const name = tenant();
    for (let i = 0; i < 3; i += 1) expect((await call(lim, name)).admitted).toBe(true);
    const first = await lim.acquire(name);
    if (first.admitted) throw new Error('a full window admitted a call');
    // The window and the safety margin, from the three calls at t0.
    expect(first).toMatchObject({ waitMs: 320, at: t0 });

    clock.set(t0 + 200);
    const early = await lim.acquire(name);
    if (early.admitted) throw new Error('admitted before the returned wait had passed');
    // The new answer points at the same moment as the first one.
    expect(early.at + early.waitMs).toBe(first.at + first.waitMs);

    clock.set(first.at + first.waitMs);
    expect((await call(lim, name)).admitted).toBe(true);

    // Now the long window (5 in 1.2 s + 20 ms) is the one that refuses, until t0 + 1.22 s.
    expect((await call(lim, name)).admitted).toBe(true);
    const long = await lim.acquire(name);
    expect(long).toMatchObject({ admitted: false, waitMs: 900, blockedBy: { max: 5, windowMs: 1_200 } });
  });

  it('on Redis time: a refusal names when the window frees, by Redis TIME', async () => {
    // A window far longer than any delay between the calls, so they all land in it.
    const lim = limiter([{ max: 2, windowMs: 60_000 }], 20);
    const name = tenant();
    const admitted = [await call(lim, name), await call(lim, name)];
    const refused = await lim.acquire(name);
    if (!admitted.every((answer) => answer.admitted) || refused.admitted) throw new Error('expected two admissions, then a refusal');
    // Settled calls count from their settling, between their admission and the refusal on Redis's clock.
    const freeAt = refused.at + refused.waitMs;
    expect(freeAt).toBeGreaterThanOrEqual((admitted[0]?.at ?? 0) + 60_020);
    expect(freeAt).toBeLessThanOrEqual(refused.at + 60_020 + 1);
    expect(refused.at).toBeGreaterThanOrEqual(admitted[1]?.at ?? Number.POSITIVE_INFINITY);
  });

  it('a cooldown refuses every call until it ends, is never shortened, and adds to full windows', async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const lim = limiter([{ max: 2, windowMs: 10_000 }], 100, clock.now);
    const name = tenant();
    expect((await call(lim, name)).admitted).toBe(true);
    expect(await lim.setCooldown(name, 5_000)).toBe(t0 + 5_000);
    expect(await lim.setCooldown(name, 1_000)).toBe(t0 + 5_000);
    expect(await lim.acquire(name)).toMatchObject({ admitted: false, waitMs: 5_000, blockedBy: 'cooldown' });
    expect(await lim.status(name)).toMatchObject({ cooldownMs: 5_000, nextFreeInMs: 5_000, admittedTotal: 1 });
    clock.set(t0 + 4_999.999);
    expect(await lim.acquire(name)).toMatchObject({ admitted: false, blockedBy: 'cooldown' });
    clock.set(t0 + 5_000);
    expect((await call(lim, name)).admitted).toBe(true);

    // Full window (frees at t0 + 10.1 s) and a cooldown to t0 + 8 s: the wait is the later of the two.
    await lim.setCooldown(name, 3_000);
    expect(await lim.acquire(name)).toMatchObject({ admitted: false, waitMs: 5_100, blockedBy: { max: 2, windowMs: 10_000 } });
  });

  it('hands each newly starved IP the next sustained-rate slot, uncapped; the same IP joins its slot; per tenant', async () => {
    // 10 per second and 60 per minute: one call a second sustained.
    const clock = manualClock();
    const t0 = clock.now();
    const lim = createRateLimiter({ redis, keys, windows: [{ max: 10, windowMs: 1_000 }, { max: 60, windowMs: 60_000 }], safetyMs: 0, clock: clock.now });
    const name = tenant();
    const earliest = t0 + 500;
    const slots = [];
    for (let i = 0; i < 4; i += 1) slots.push(await lim.wakeSlot(name, earliest, `198.51.100.${i}|720`));
    expect(slots).toEqual([earliest, earliest + 1_000, earliest + 2_000, earliest + 3_000]);
    // Every alert waiting for an IP already starved wakes at that IP's slot: no new slot, no churn.
    expect(await lim.wakeSlot(name, earliest, '198.51.100.2|720')).toBe(earliest + 2_000);
    // Another look-back is another question.
    expect(await lim.wakeSlot(name, earliest, '198.51.100.2|24')).toBe(earliest + 4_000);
    // A later earliest time starts from there; the cursor never hands out a time before it.
    expect(await lim.wakeSlot(name, earliest + 10_000, '198.51.100.9|720')).toBe(earliest + 10_000);
    // Not capped: a backlog of 200 starved IPs spreads over 200 slots, the time the budget needs for them.
    let last = 0;
    for (let i = 0; i < 200; i += 1) last = await lim.wakeSlot(name, earliest + 10_000, `203.0.113.${i}|720`);
    expect(last).toBe(earliest + 10_000 + 200 * 1_000);
    // An IP whose slot has come and that the budget still refuses goes first, at the next free moment.
    clock.set(earliest + 2_000);
    expect(await lim.wakeSlot(name, earliest + 2_300, '198.51.100.2|720')).toBe(earliest + 2_300);
    expect(await lim.wakeSlot(name, earliest + 2_300, '192.0.2.1|720')).toBe(earliest + 10_000 + 201 * 1_000);
    // Another tenant has a line of its own.
    expect(await lim.wakeSlot(tenant(), earliest, '198.51.100.0|720')).toBe(earliest);
  });

  it('keeps tenants apart', async () => {
    const lim = limiter([{ max: 1, windowMs: 60_000 }], 0);
    const [a, b] = [tenant(), tenant()];
    expect((await call(lim, a)).admitted).toBe(true);
    expect((await call(lim, a)).admitted).toBe(false);
    expect((await call(lim, b)).admitted).toBe(true);
  });

  it('counts a call in flight until it settles, and an unsettled one until its in-flight bound, then a window more', async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const lim = createRateLimiter({ redis, keys, windows: [{ max: 1, windowMs: 1_000 }], safetyMs: 0, inflightMs: 5_000, clock: clock.now });
    const [settled, dead, late] = [tenant(), tenant(), tenant()];
    const tickets = new Map<string, string>();
    for (const name of [settled, dead, late]) {
      const answer = await lim.acquire(name);
      if (!answer.admitted) throw new Error('an empty window refused a call');
      tickets.set(name, answer.ticket);
    }

    // In flight a whole window later: still counted; the wait is the earliest possible (answer now).
    clock.set(t0 + 1_000);
    expect(await lim.acquire(settled)).toMatchObject({ admitted: false, waitMs: 1_000 });
    expect(await lim.status(settled)).toMatchObject({ inFlight: 1, nextFreeInMs: 1_000 });

    // Settled at t0 + 1.2 s: it counts from then, for exactly one window.
    clock.set(t0 + 1_200);
    await lim.settle(settled, tickets.get(settled) ?? '');
    expect(await lim.status(settled)).toMatchObject({ inFlight: 0, nextFreeInMs: 1_000 });
    clock.set(t0 + 2_199.999);
    expect((await lim.acquire(settled)).admitted).toBe(false);
    clock.set(t0 + 2_200);
    expect((await call(lim, settled)).admitted).toBe(true);

    // Never settled (its caller died): counted as arriving at the 5 s bound, free a window later.
    clock.set(t0 + 5_999.999);
    expect(await lim.acquire(dead)).toMatchObject({ admitted: false, waitMs: 1 });
    clock.set(t0 + 6_000);
    expect((await call(lim, dead)).admitted).toBe(true);

    // Settling after the bound does not extend it.
    clock.set(t0 + 5_500);
    await lim.settle(late, tickets.get(late) ?? '');
    clock.set(t0 + 6_000);
    expect((await call(lim, late)).admitted).toBe(true);
  });

  it('lets its Redis keys expire once every entry has left', async () => {
    const lim = createRateLimiter({ redis, keys, windows: [{ max: 5, windowMs: 1_000 }, { max: 9, windowMs: 4_000 }], safetyMs: 50, inflightMs: 2_000 });
    const name = tenant();
    await call(lim, name);
    const short = await redis.pttl(keys.limiterWindow(name, 1_000));
    const long = await redis.pttl(keys.limiterWindow(name, 4_000));
    // In-flight bound + window + margin after the newest admission.
    expect(short).toBeGreaterThan(2_900);
    expect(short).toBeLessThanOrEqual(3_051);
    expect(long).toBeGreaterThan(5_900);
    expect(long).toBeLessThanOrEqual(6_051);
  });
});
