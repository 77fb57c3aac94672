import { describe, expect, it } from 'vitest';
import { runBudgetScenario } from '../../../bench/budget/scenario.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('budget benchmark, short run as a correctness test', () => {
  it('worker processes behind one budget never draw a 429 and never call for an IP twice', { timeout: 90_000 }, async () => {
    const report = await runBudgetScenario({
      mode: 'shared',
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix('bench-budget'),
      processes: 3,
      concurrency: 4,
      rateLimits: '8/400ms,20/1500ms',
      safetyMs: 30,
      durationMs: 3_500,
      arrivalsPerSecond: 20,
      universe: 2_000,
      zipfExponent: 1,
      jobDeadlineMs: 150,
      seed: 7,
    });
    expect(report.apiCalls).toBeGreaterThan(0);
    expect(report.throttled).toBe(0);
    expect(report.maxCallsPerKey).toBe(1);
    expect(report.apiCalls).toBe(report.distinctKeys);
    expect(report.apiCalls).toBeLessThanOrEqual(report.allowedCalls);
    // The budget, not the stream, was the limit: work was still waiting for it at the end.
    expect(report.backlogAtEnd).toBeGreaterThan(0);
    expect(report.deferrals).toBeGreaterThan(0);
  });
});
