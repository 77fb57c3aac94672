import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAdmissions, maxInAnyInterval, withMargin } from '../../../bench/budget/sliding-windows.js';
import { formatRateLimits, type RateWindow } from '../../../src/enrich/rate-windows.js';
import { createRateLimiter } from '../../../src/enrich/limiter.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { spawnChild } from './support/child-process.js';

const PROCESSES = 4;
const CONCURRENCY = 4;

// Each test starts child processes through tsx: on a loaded machine that alone can take many seconds. The
// time-out guards against a hang; it is not a speed bound.
describe('rate limiter shared by several processes (real Redis)', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix('limiter-procs');
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  it('admits exactly what the windows allow, never more in any sliding interval, and refusals consume nothing', async () => {
    const windows: RateWindow[] = [
      { max: 5, windowMs: 200 },
      { max: 12, windowMs: 1_500 },
    ];
    const safetyMs = 20;
    const tenant = 'hammer';
    const children = Array.from({ length: PROCESSES }, () =>
      spawnChild(new URL('./children/hammer-limiter.ts', import.meta.url), [
        testRedisUrl(),
        prefix,
        tenant,
        formatRateLimits(windows),
        String(safetyMs),
        String(CONCURRENCY),
      ]),
    );
    await Promise.all(children.map((child) => child.next('ready')));

    const [seconds, micros] = await redis.time();
    const startAt = Number(seconds) * 1000 + Number(micros) / 1000;
    // Greedy admits 12 in the first 0.5 s, 12 more from 1.52 s, then nothing until 3.04 s: stopping
    // at 2.5 s leaves half a second of slack on both sides, so the expected count is exact.
    const stopAt = startAt + 2_500;
    for (const child of children) child.send({ stopAt });
    const reports = await Promise.all(children.map((child) => child.next<{ admissions: number[]; refusals: number }>('done')));
    await Promise.all(children.map((child) => child.exited));

    const admissions = reports.flatMap((r) => r.admissions).sort((a, b) => a - b);
    const refusals = reports.reduce((sum, r) => sum + r.refusals, 0);
    const effective = withMargin(windows, safetyMs);
    for (const w of effective) expect(maxInAnyInterval(admissions, w.windowMs)).toBeLessThanOrEqual(w.max);

    const first = admissions[0] ?? Number.NaN;
    expect(admissions.length).toBe(maxAdmissions(effective, first, stopAt));
    expect(admissions.length).toBe(24);
    // Several processes shared the admissions, all were refused many times, and only admissions counted.
    expect(reports.filter((r) => r.admissions.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(refusals).toBeGreaterThan(admissions.length);
    const limiter = createRateLimiter({ redis, keys: keySpace(prefix), windows, safetyMs, inflightMs: 5_000 });
    expect((await limiter.status(tenant)).admittedTotal).toBe(admissions.length);
  });
});
