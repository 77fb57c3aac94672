import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRateLimits } from '../../src/enrich/rate-windows.js';
import { createRateLimiter } from '../../src/enrich/limiter.js';
import { alertResultSchema } from '../../src/result/schema.js';
import { recordAdmissions, windowUse } from './support/admitted-calls.js';
import { reportFigures, sized } from './support/figures.js';
import { expectNoSecretLeak, ScenarioHarness } from './support/scenario-harness.js';
import { freshIps, syntheticAlerts } from './support/synthetic-alerts.js';

/**
 * Scenario 4: Defender answers 5xx to 20 % of the calls it admits and never answers some others
 * (the client gives up after MDE_TIMEOUT_MS), while a backlog of new IPs keeps the budget exhausted.
 * The emulator enforces twice the workers' MDE_RATE_LIMITS, so an overrun would not hide behind its
 * 429s: the admitted calls are counted over every sliding window and compared with the workers' limits.
 */
const ALERTS = sized(60, 400);
const RATE_LIMITS = '30/1s,150/5s';
const EMULATOR_LIMITS = '60/1s,300/5s';
const SERVER_ERROR_RATE = 0.2;
const HANG_RATE = 0.05;
const WORKERS = 2;

describe('reliability: Defender failing and hanging under an exhausted budget', () => {
  let harness: ScenarioHarness;
  let admissions: readonly number[];

  beforeAll(async () => {
    harness = await ScenarioHarness.start({
      label: 'mde',
      sinks: ['webhook'],
      rateLimits: RATE_LIMITS,
      emulatorRateLimits: EMULATOR_LIMITS,
      defenderMode: { serverErrorRate: SERVER_ERROR_RATE, hangRate: HANG_RATE, latencyMs: 20 },
      // The coalescing lock (the in-flight bound of a call) must outlast the client's timeout.
      env: { MDE_TIMEOUT_MS: '500', COALESCE_LOCK_MS: '1500' },
    });
    admissions = recordAdmissions(harness.emulators.defender.counters);
  });

  afterAll(async () => {
    await harness.close();
  });

  it('no 429, admitted calls within every window, every alert completed or in the DLQ with a reason', async () => {
    const alerts = syntheticAlerts({ count: ALERTS, runId: randomBytes(3).toString('hex'), ipsOf: freshIps });
    await harness.fleet.startAll(WORKERS);
    const started = Date.now();
    await harness.enqueue(alerts);
    await harness.waitUntilSettled(ALERTS, sized(90_000, 240_000));
    const settledAt = Date.now();

    const windows = parseRateLimits(RATE_LIMITS);
    if (typeof windows === 'string') throw new Error(windows);
    const limiter = createRateLimiter({ redis: harness.redis, keys: harness.keys, windows, safetyMs: harness.config.MDE_RATE_SAFETY_MS });
    const budget = await limiter.status(harness.config.IPENRICH_DEFAULT_TENANT);
    const use = windowUse(admissions, windows);
    const defender = harness.emulators.defender.counters;

    const completed = await harness.queue.getCompleted(0, -1);
    const failed = await harness.queue.getFailed(0, -1);
    const delivered = harness.webhookAlertIds();
    const lost = alerts.filter((alert) => !delivered.has(alert.id)).length - failed.length;
    const statuses: Record<string, number> = {};
    for (const delivery of harness.receiver.deliveries.values()) {
      const result = alertResultSchema.parse((delivery.payload as { data: unknown }).data);
      for (const ip of result.ips) statuses[ip.status] = (statuses[ip.status] ?? 0) + 1;
    }
    const retries = [...completed, ...failed].reduce((sum, job) => sum + Math.max(0, job.attemptsMade - 1), 0);
    const scan = await harness.scanForSecrets();

    reportFigures({
      scenario: 'defender-faults',
      title: 'Defender 5xx on 20 % of calls and hangs, budget exhausted',
      seconds: (settledAt - started) / 1000,
      scan: { logLines: scan.logLines, texts: scan.texts, bytes: scan.bytes, findings: scan.findings.length },
      rows: [
        ['alerts (two new IPs each)', ALERTS],
        ['worker processes', WORKERS],
        ['MDE_RATE_LIMITS (emulator enforces twice that)', RATE_LIMITS],
        ['Defender calls admitted', admissions.length],
        ['  answered 5xx / never answered (client timeout)', `${defender.serverErrors} / ${defender.hung}`],
        ['Defender 429s', defender.throttled],
        ...use.map(({ window, most }): [string, string] => [`most admitted calls in any ${window.windowMs / 1000} s window / allowed`, `${most} / ${window.max}`]),
        ['limiter: calls admitted / still in flight at the end', `${budget.admittedTotal} / ${budget.inFlight}`],
        ['job retries (attempts after the first)', retries],
        ['alerts completed / in the dead-letter queue / lost', `${completed.length} / ${failed.length} / ${lost}`],
        ['IP outcomes delivered', Object.entries(statuses).map(([status, n]) => `${status} ${n}`).join(', ')],
      ],
    });

    expect(defender.serverErrors).toBeGreaterThan(0);
    expect(defender.hung).toBeGreaterThan(0);
    expect(defender.throttled).toBe(0);
    for (const { window, most } of use) expect(most, `calls in a ${window.windowMs} ms window`).toBeLessThanOrEqual(window.max);
    // The limiter counted every call Defender saw, and no call is left holding budget.
    expect(budget.admittedTotal).toBeGreaterThanOrEqual(admissions.length);
    expect(budget.inFlight).toBe(0);
    expect(lost).toBe(0);
    expect(completed.length + failed.length).toBe(ALERTS);
    for (const job of failed) expect(job.failedReason).toMatch(/^[A-Z_]+: \S/);
    expect(delivered.size).toBe(completed.length);
    expect(harness.receiver.counters.duplicates).toBe(0);
    expectNoSecretLeak(scan);
  }, sized(120_000, 300_000));
});
