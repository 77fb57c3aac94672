import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_READY_HOLD_MS } from '../../src/enrich/enricher.js';
import { createRateLimiter } from '../../src/enrich/limiter.js';
import { alertResultSchema } from '../../src/result/schema.js';
import { reportFigures, sized } from './support/figures.js';
import { expectNoSecretLeak, ScenarioHarness } from './support/scenario-harness.js';
import { freshIps, syntheticAlerts } from './support/synthetic-alerts.js';

/**
 * Scenario 5: the Entra ID token endpoint answers 503 when the workers start and for a while after,
 * so no Defender call can be made. The operator must see why (AUTH_UNAVAILABLE in the logs and in
 * the jobs' reasons), the workers must not hammer the token endpoint (job backoff for the attempts,
 * about one token request per second per process however many there are), no budget may be spent
 * on calls that cannot be sent, and everything must complete once the endpoint is back.
 */
const ALERTS = sized(40, 200);
const OUTAGE_MS = sized(5_000, 15_000);
const RATE_LIMITS = '30/1s,150/5s';
const WORKERS = 2;

/**
 * Most attempts one job can make within `ms` under BullMQ's exponential backoff with jitter 0.5
 * (the n-th retry waits at least half of base × 2^(n−1)): the pace the workers must keep to.
 */
function attemptsWithin(ms: number, baseMs: number): number {
  let attempts = 1;
  let elapsed = 0;
  while (elapsed + (baseMs * 2 ** (attempts - 1)) / 2 <= ms) {
    elapsed += (baseMs * 2 ** (attempts - 1)) / 2;
    attempts += 1;
  }
  return attempts;
}

describe('reliability: the token endpoint failing for a while', () => {
  let harness: ScenarioHarness;

  beforeAll(async () => {
    harness = await ScenarioHarness.start({
      label: 'token',
      sinks: ['webhook'],
      rateLimits: RATE_LIMITS,
      entraMode: { failStatus: 503 },
      defenderMode: { latencyMs: 20 },
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('shows AUTH_UNAVAILABLE, asks Entra about once a second per process, and completes everything once Entra is back', async () => {
    const { entra, defender } = harness.emulators;
    const alerts = syntheticAlerts({ count: ALERTS, runId: randomBytes(3).toString('hex'), ipsOf: freshIps });
    await harness.fleet.startAll(WORKERS);
    const outageStart = Date.now();
    await harness.enqueue(alerts);
    await sleep(OUTAGE_MS);

    // What the outage cost and what an operator sees, just before the endpoint comes back.
    const tokenRequestsDuringOutage = entra.counters.tokenRequests;
    const defenderCallsDuringOutage = defender.counters.totalCalls;
    const pending = await harness.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed']);
    const failedAttempts = pending.reduce((sum, job) => sum + job.attemptsMade, 0);
    const reasons = new Set(pending.map((job) => job.failedReason?.split(':')[0]).filter((code) => code !== undefined));
    const sampleReason = pending.find((job) => job.failedReason)?.failedReason ?? '(none)';
    const limiter = createRateLimiter({ redis: harness.redis, keys: harness.keys, windows: harness.config.MDE_RATE_LIMITS, safetyMs: harness.config.MDE_RATE_SAFETY_MS });
    const budgetSpentDuringOutage = (await limiter.status(harness.config.IPENRICH_DEFAULT_TENANT)).admittedTotal;
    const outageEnd = Date.now();
    const backoffBound = ALERTS * attemptsWithin(outageEnd - outageStart, harness.config.JOB_BACKOFF_MS);
    // Each process asks once, then answers every miss with that failure for NOT_READY_HOLD_MS.
    const tokenBound = WORKERS * (Math.ceil((outageEnd - outageStart) / NOT_READY_HOLD_MS) + 1);
    const outageLines = harness.fleet.logLines().filter((line) => line.at >= outageStart && line.at <= outageEnd && (line.level === 'warn' || line.level === 'error'));
    const authLines = outageLines.filter((line) => JSON.stringify(line.fields).includes('AUTH_UNAVAILABLE'));

    entra.setMode({ failStatus: undefined });
    const tokensBefore = entra.counters.tokenRequests;
    await harness.waitUntilSettled(ALERTS, sized(90_000, 240_000));
    const recoveredAt = Date.now();

    const completed = await harness.queue.getCompletedCount();
    const failed = await harness.queue.getFailed(0, -1);
    const delivered = harness.webhookAlertIds();
    const lost = alerts.filter((alert) => !delivered.has(alert.id)).length - failed.length;
    const statuses: Record<string, number> = {};
    for (const delivery of harness.receiver.deliveries.values()) {
      const result = alertResultSchema.parse((delivery.payload as { data: unknown }).data);
      for (const ip of result.ips) statuses[ip.status] = (statuses[ip.status] ?? 0) + 1;
    }
    const tokenRequestsAfter = entra.counters.tokenRequests - tokensBefore;
    const scan = await harness.scanForSecrets();

    reportFigures({
      scenario: 'token-outage',
      title: 'Entra token endpoint answering 503, then back',
      seconds: (recoveredAt - outageStart) / 1000,
      scan: { logLines: scan.logLines, texts: scan.texts, bytes: scan.bytes, findings: scan.findings.length },
      rows: [
        ['alerts (two new IPs each)', ALERTS],
        ['worker processes', WORKERS],
        ['token endpoint down for (s)', ((outageEnd - outageStart) / 1000).toFixed(1)],
        ['token requests during the outage / one per process per second', `${tokenRequestsDuringOutage} / ${tokenBound}`],
        ['job attempts failed during the outage / most job backoff allows', `${failedAttempts} / ${backoffBound}`],
        ['Defender calls during the outage', defenderCallsDuringOutage],
        ['API budget (limiter admissions) spent during the outage', budgetSpentDuringOutage],
        ['error codes in the waiting jobs\' reasons', [...reasons].join(', ')],
        ['a waiting job\'s reason', sampleReason.slice(0, 140)],
        ['warn/error log lines during the outage (naming AUTH_UNAVAILABLE)', `${outageLines.length} (${authLines.length})`],
        ['  of which "IP lookup failed" / "job will be retried"', `${outageLines.filter((l) => l.msg === 'IP lookup failed').length} / ${outageLines.filter((l) => l.msg === 'job will be retried').length}`],
        ['token requests after the endpoint returned', tokenRequestsAfter],
        ['endpoint back → every alert completed (s)', ((recoveredAt - outageEnd) / 1000).toFixed(1)],
        ['alerts completed / in the dead-letter queue / lost', `${completed} / ${failed.length} / ${lost}`],
        ['IP outcomes delivered', Object.entries(statuses).map(([status, n]) => `${status} ${n}`).join(', ')],
        ['Defender 429s', defender.counters.throttled],
      ],
    });

    // The outage was felt, and explained.
    expect(tokenRequestsDuringOutage).toBeGreaterThan(0);
    expect(defenderCallsDuringOutage).toBe(0);
    // A call that could not be sent spent no budget, so the budget is whole when Entra returns.
    expect(budgetSpentDuringOutage).toBe(defenderCallsDuringOutage);
    expect([...reasons]).toEqual(['AUTH_UNAVAILABLE']);
    expect(authLines.length).toBeGreaterThan(0);
    // No storm: attempts keep to the job backoff, and however many there are, each process asks
    // Entra about once per NOT_READY_HOLD_MS.
    expect(failedAttempts).toBeLessThanOrEqual(backoffBound);
    expect(tokenRequestsDuringOutage).toBeLessThanOrEqual(tokenBound);
    // Recovery: one token per process, then everything completes with real answers.
    expect(tokenRequestsAfter).toBeLessThanOrEqual(2 * WORKERS);
    expect(lost).toBe(0);
    expect(failed).toHaveLength(0);
    expect(completed).toBe(ALERTS);
    expect(statuses.error ?? 0).toBe(0);
    expect(defender.counters.throttled).toBe(0);
    expectNoSecretLeak(scan);
  }, sized(120_000, 300_000));
});
