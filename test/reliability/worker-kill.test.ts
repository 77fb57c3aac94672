import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures, sized } from './support/figures.js';
import { expectNoSecretLeak, ScenarioHarness } from './support/scenario-harness.js';
import { pooledIps, syntheticAlerts } from './support/synthetic-alerts.js';

/**
 * Scenario 1: three worker processes; every few seconds one of them is killed with SIGKILL (no
 * drain, jobs in flight) and started again, while alerts keep arriving. Its jobs stall until their
 * lock (WORKER_LOCK_MS) expires, then another worker takes them over.
 */
const ALERTS = sized(240, 2_000);
/** Alerts arrive as a stream over this long, so the kills always fall in the middle of the work. */
const ARRIVAL_MS = sized(10_000, 45_000);
const KILL_EVERY_MS = sized(2_500, 3_000);
const WORKERS = 3;
const RATE_LIMITS = '200/1s,2000/10s';
/** The loop gives up when no job has finished for this long; the checks below then say what is missing. */
const STALL_MS = 90_000;
/** …and in any case after this long, so the test's own time-out (larger) is never what ends it. */
const LOOP_MS = ARRIVAL_MS + sized(240_000, 600_000);

describe('reliability: a worker process killed with SIGKILL every few seconds', () => {
  let harness: ScenarioHarness;

  beforeAll(async () => {
    harness = await ScenarioHarness.start({
      label: 'kill',
      sinks: ['webhook'],
      rateLimits: RATE_LIMITS,
      // Calls take a while, so a killed worker always has some in flight.
      defenderMode: { latencyMs: 40 },
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('loses no alert; a redelivery reuses its webhook-id; no 429', async () => {
    const alerts = syntheticAlerts({ count: ALERTS, runId: randomBytes(3).toString('hex'), ipsOf: pooledIps(Math.ceil(ALERTS / 2)) });
    await harness.fleet.startAll(WORKERS);
    const started = Date.now();

    const batches = 20;
    const jobIds: string[] = [];
    const producing = (async () => {
      for (let batch = 0; batch < batches; batch += 1) {
        const part = alerts.slice(Math.floor((batch * ALERTS) / batches), Math.floor(((batch + 1) * ALERTS) / batches));
        const jobs = await harness.enqueue(part);
        jobIds.push(...jobs.filter((job) => !job.duplicate).map((job) => job.jobId));
        await sleep(ARRIVAL_MS / batches);
      }
    })();

    let kills = 0;
    let lastKillAt = started;
    let produced = false;
    void producing.then(
      () => (produced = true),
      () => (produced = true),
    );
    const restarts: Promise<unknown>[] = [];
    let finished = 0;
    let progressAt = Date.now();
    for (;;) {
      await sleep(250);
      const counts = await harness.queue.getJobCounts('completed', 'failed');
      const done = (counts.completed ?? 0) + (counts.failed ?? 0);
      if (produced && done >= ALERTS) break;
      if (done > finished || !produced) [finished, progressAt] = [done, Date.now()];
      // Based on progress, not on how fast this machine is: the checks below report what is missing.
      if (Date.now() - progressAt > STALL_MS || Date.now() - started > LOOP_MS) break;
      if (Date.now() - lastKillAt < KILL_EVERY_MS) continue;
      // In turn, among the workers that are up (one still starting after its kill is left alone).
      const ready = harness.fleet.readySlots();
      const slot = ready.find((s) => s >= kills % WORKERS) ?? ready[0];
      if (slot === undefined) continue;
      expect(await harness.fleet.stop(slot, 'SIGKILL')).toBe('SIGKILL');
      kills += 1;
      lastKillAt = Date.now();
      restarts.push(harness.fleet.start(slot));
    }
    await producing;
    // Already settled unless the loop gave up; then the figures and checks below say what is missing.
    await harness.waitUntilSettled(ALERTS, 1_000).catch(() => undefined);
    const drainedAt = Date.now();
    await Promise.all(restarts);

    const counts = await harness.queue.getJobCounts('completed', 'failed', 'waiting', 'delayed', 'active');
    const deadLetterReasons = new Map<string, number>();
    for (const job of await harness.queue.getFailed(0, -1)) {
      const reason = (job.failedReason ?? '(none)').replace(/[0-9a-f]{16,}/g, '…');
      deadLetterReasons.set(reason, (deadLetterReasons.get(reason) ?? 0) + 1);
    }
    const delivered = harness.webhookAlertIds();
    const lost = alerts.filter((alert) => !delivered.has(alert.id)).length - (counts.failed ?? 0);
    const { counters } = harness.receiver;
    const defender = harness.emulators.defender.counters;
    const distinctIps = new Set(alerts.flatMap((alert) => [alert.source.ip, alert.destination.ip])).size;
    const scan = await harness.scanForSecrets();

    reportFigures({
      scenario: 'worker-kill',
      title: 'SIGKILL of a worker every few seconds',
      seconds: (drainedAt - started) / 1000,
      scan: { logLines: scan.logLines, texts: scan.texts, bytes: scan.bytes, findings: scan.findings.length },
      rows: [
        ['alerts', ALERTS],
        ['worker processes (at once)', WORKERS],
        ['SIGKILLs (each followed by a restart)', kills],
        ['alerts lost', lost],
        ['alerts in the dead-letter queue', counts.failed ?? 0],
        ...[...deadLetterReasons].map(([reason, n]): [string, string] => ['  dead-letter reason', `${n} × ${reason}`]),
        ['alerts delivered (distinct webhook-ids)', delivered.size],
        ['duplicate deliveries (same webhook-id again)', counters.duplicates],
        ['alerts delivered under two webhook-ids', [...delivered.values()].filter((n) => n > 1).length],
        ['Defender calls / distinct IPs', `${defender.totalCalls} / ${distinctIps}`],
        ['Defender 429s', defender.throttled],
        ['drain after the last kill (s)', ((drainedAt - lastKillAt) / 1000).toFixed(1)],
      ],
    });

    expect(jobIds).toHaveLength(ALERTS);
    // Kills happen only to workers that are up; a slow start on a loaded machine costs some.
    expect(kills).toBeGreaterThanOrEqual(Math.max(2, Math.floor(ARRIVAL_MS / KILL_EVERY_MS / 2)));
    expect(lost).toBe(0);
    expect(counts.failed).toBe(0);
    expect(counts.completed).toBe(ALERTS);
    expect(delivered.size).toBe(ALERTS);
    // At-least-once: a job killed between the POST and its completion is delivered again, but with
    // the same webhook-id, so the receiver can drop it.
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(counters.rejectedSignatures).toBe(0);
    expect(defender.throttled).toBe(0);
    expectNoSecretLeak(scan);
    // Longer than the loop can run (LOOP_MS) plus restarts and the checks: a hang guard, never the first to fire.
  }, LOOP_MS + 180_000);
});
