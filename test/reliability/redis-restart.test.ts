import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/cli-process.js';
import { reportFigures, sized } from './support/figures.js';
import { expectNoSecretLeak, ScenarioHarness } from './support/scenario-harness.js';
import { pooledIps, syntheticAlerts } from './support/synthetic-alerts.js';
import type { WorkerLogLine } from './support/worker-fleet.js';

/**
 * Scenario 2: redis-server (append-only file) is stopped in the middle of the work and started
 * again on the same port and directory. The worker processes are not restarted: they must wait out
 * the outage, reconnect, finish what they had and take new alerts, and say so in a few log lines.
 */
const ALERTS = sized(160, 1_000);
const OUTAGE_MS = sized(4_000, 10_000);
const WORKERS = 2;

/** Log lines grouped by level, message and the start of their error, for the report. */
function countByKind(lines: readonly WorkerLogLine[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const line of lines) {
    const err = line.fields.err as { message?: string } | undefined;
    const reason = typeof line.fields.reason === 'string' ? line.fields.reason : undefined;
    const detail = (reason ?? err?.message ?? '').replace(/[0-9a-f]{16,}/g, '…').replace(/:\d+/g, ':…').slice(0, 70);
    const kind = `${line.level} "${line.msg}" ${detail}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

describe('reliability: Redis restarted in the middle of the work', () => {
  let harness: ScenarioHarness;

  beforeAll(async () => {
    harness = await ScenarioHarness.start({
      label: 'redis',
      sinks: ['webhook'],
      rateLimits: '200/1s,2000/10s',
      appendOnly: true,
      defenderMode: { latencyMs: 40 },
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('loses no alert and the same worker processes carry on, logging the outage once per change', async () => {
    const alerts = syntheticAlerts({ count: ALERTS, runId: randomBytes(3).toString('hex'), ipsOf: pooledIps(ALERTS) });
    const before = alerts.slice(0, ALERTS / 2);
    const after = alerts.slice(ALERTS / 2);
    await harness.fleet.startAll(WORKERS);
    const pids = [0, 1].map((slot) => harness.fleet.process(slot)?.child.pid);
    const started = Date.now();

    await harness.enqueue(before);
    await waitFor('the first deliveries', () => harness.receiver.deliveries.size >= before.length / 4, 60_000);
    const outageStart = Date.now();
    await harness.stopRedis();
    const deliveredAtStop = harness.receiver.deliveries.size;
    await sleep(OUTAGE_MS);
    const deliveredDuringOutage = harness.receiver.deliveries.size - deliveredAtStop;
    await harness.startRedisAgain();
    const redisBack = Date.now();
    const deliveredAtRestart = harness.receiver.deliveries.size;
    await harness.enqueue(after);
    await waitFor('a delivery after the restart', () => harness.receiver.deliveries.size > deliveredAtRestart, 60_000, 20);
    const firstDeliveryAfter = Date.now();
    await harness.waitUntilSettled(ALERTS, 120_000);
    const settledAt = Date.now();

    const counts = await harness.queue.getJobCounts('completed', 'failed');
    const delivered = harness.webhookAlertIds();
    const lost = alerts.filter((alert) => !delivered.has(alert.id)).length - (counts.failed ?? 0);
    const samePids = [0, 1].map((slot) => harness.fleet.process(slot)?.child.pid);
    // What the workers said from the outage until they were back at work (their own timestamps).
    const outageLines = harness.fleet.logLines().filter((line) => line.at >= outageStart && line.at <= firstDeliveryAfter + 1_000);
    const problems = outageLines.filter((line) => line.level === 'warn' || line.level === 'error' || line.level === 'fatal');
    // The worker's own verdict (alert-worker.ts isLockLost): BullMQ words it "could not renew lock for
    // job", "Missing lock for job" or, when a busy machine let another worker take the job over first,
    // "Lock mismatch for job" — which the err text alone did not match.
    const isJobLockLoss = (line: WorkerLogLine): boolean => line.msg.startsWith('job lock lost');
    const isCoalescingLockLoss = (line: WorkerLogLine): boolean => line.msg.startsWith('coalescing lock expired');
    const isLockLoss = (line: WorkerLogLine): boolean => isJobLockLoss(line) || isCoalescingLockLoss(line);
    const perWorker = (lines: readonly WorkerLogLine[]): number => Math.max(0, ...harness.fleet.outputs().map((output) => lines.filter((line) => line.worker === output.source).length));
    const outageReports = perWorker(problems.filter((line) => line.msg.startsWith('Redis unavailable')));
    const recoveryReports = perWorker(outageLines.filter((line) => line.msg === 'Redis available again'));
    const jobLockLosses = perWorker(problems.filter(isJobLockLoss));
    const coalescingLockLosses = perWorker(problems.filter(isCoalescingLockLoss));
    const otherProblems = perWorker(problems.filter((line) => !isLockLoss(line) && !line.msg.startsWith('Redis unavailable')));
    const scan = await harness.scanForSecrets();

    reportFigures({
      scenario: 'redis-restart',
      title: 'Redis stopped and started again (AOF) mid-run',
      seconds: (settledAt - started) / 1000,
      scan: { logLines: scan.logLines, texts: scan.texts, bytes: scan.bytes, findings: scan.findings.length },
      rows: [
        ['alerts (half before the restart, half after)', ALERTS],
        ['worker processes', WORKERS],
        ['Redis down for (s)', (OUTAGE_MS / 1000).toFixed(1)],
        ['worker processes restarted', harness.fleet.started - WORKERS],
        ['alerts lost', lost],
        ['alerts in the dead-letter queue', counts.failed ?? 0],
        ['duplicate deliveries (same webhook-id again)', harness.receiver.counters.duplicates],
        ['deliveries while Redis was down', deliveredDuringOutage],
        ['Redis back → first delivery (s)', ((firstDeliveryAfter - redisBack) / 1000).toFixed(1)],
        ['"Redis unavailable" lines per worker (one per watched connection)', outageReports],
        ['"Redis available again" lines per worker', recoveryReports],
        ['job-lock-lost lines per worker (jobs in flight × ≤ 4)', jobLockLosses],
        ['coalescing-lock-lost lines per worker (Defender calls in flight)', coalescingLockLosses],
        ['other warn/error lines per worker', otherProblems],
        ['Defender 429s', harness.emulators.defender.counters.throttled],
      ],
    });
    for (const [kind, count] of countByKind(problems)) process.stdout.write(`  ${count} × ${kind}\n`);

    expect(lost).toBe(0);
    expect(counts.failed).toBe(0);
    expect(delivered.size).toBe(ALERTS);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    // The same processes did all the work: nothing exited, nothing was restarted.
    expect(samePids).toEqual(pids);
    expect(harness.fleet.started).toBe(WORKERS);
    for (let slot = 0; slot < WORKERS; slot += 1) expect(harness.fleet.process(slot)?.child.exitCode).toBeNull();
    // Once per change of state and connection (queue and coalescing subscriber), not once per
    // reconnect attempt; the lines about lost locks are one per job or call in flight (each alert
    // has two IPs), whatever the outage's length.
    expect(outageReports).toBeGreaterThan(0);
    expect(outageReports).toBeLessThanOrEqual(2);
    expect(recoveryReports).toBeGreaterThan(0);
    expect(recoveryReports).toBeLessThanOrEqual(2);
    // Per job: a renewal that failed (again on the next tick if the job is still running once Redis
    // is back), then its move to completed, then to delayed.
    expect(jobLockLosses).toBeLessThanOrEqual(4 * harness.config.WORKER_CONCURRENCY);
    expect(coalescingLockLosses).toBeLessThanOrEqual(2 * harness.config.WORKER_CONCURRENCY);
    expect(otherProblems).toBeLessThanOrEqual(harness.config.WORKER_CONCURRENCY);
    expect(harness.emulators.defender.counters.throttled).toBe(0);
    expectNoSecretLeak(scan);
  }, sized(120_000, 300_000));
});
