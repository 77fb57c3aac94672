import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_CLOSE_MS } from '../../src/composition/start-worker.js';
import { EXIT_CODES } from '../../src/errors.js';
import { spawnCli, waitFor, type CliProcess } from '../support/cli-process.js';
import { reportFigures } from './support/figures.js';
import { expectNoSecretLeak, ScenarioHarness } from './support/scenario-harness.js';
import { freshIps, syntheticAlerts, type SyntheticAlert } from './support/synthetic-alerts.js';
import { WorkerFleet } from './support/worker-fleet.js';

/**
 * Scenario 7 (issue 18): a worker told to stop (SIGTERM) while Redis is down, Defender hangs or a
 * sink hangs. It exits once the shutdown timeout has run out, with the forced-exit code and one
 * "worker stopped" line naming the jobs it still held; those are recovered by another worker once
 * their lock expires and delivered exactly once, as after a SIGKILL. A second signal exits at once.
 */
const TIMEOUT_MS = 2_000;
/**
 * How long the test waits for an exit: far above timeout + close margin, so a loaded machine never
 * trips it, and far below what a worker that ignores its timeout takes (it never exits). The times
 * actually taken are reported, not asserted.
 */
const EXIT_CAP_MS = TIMEOUT_MS + WORKER_CLOSE_MS + 30_000;
/** Jobs each scenario leaves in the worker's hands (below WORKER_CONCURRENCY: all are taken at once). */
const HELD = 4;
const WORKER = 0;
const RECOVERY = 1;

interface StopLine {
  readonly exitCode: number;
  readonly reason: string;
  readonly leftBehind: number;
  readonly jobIds: string[];
  readonly elapsedMs: number;
}

/** The "worker stopped" lines a process wrote (there must be one). */
function stopLines(process: CliProcess): StopLine[] {
  return process
    .output()
    .split('\n')
    .filter((line) => line.includes('"msg":"worker stopped"'))
    .map((line) => JSON.parse(line) as StopLine);
}

describe('reliability: a worker stops when told to, whatever is down', () => {
  let harness: ScenarioHarness;
  let scenario = 0;
  const measured: [string, string][] = [];
  const startedAt = Date.now();

  beforeAll(async () => {
    harness = await ScenarioHarness.start({
      label: 'stop',
      sinks: ['webhook'],
      rateLimits: '200/1s,2000/10s',
      // Redis is stopped and started again with the jobs it held.
      appendOnly: true,
      env: {
        WORKER_SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
        // Longer than the shutdown timeout: a hanging Defender still holds the job when the timeout runs out.
        MDE_TIMEOUT_MS: '6000',
        COALESCE_LOCK_MS: '7000',
      },
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  /** Fresh alerts (IPs no scenario used before: each needs Defender), queued. */
  async function enqueueFresh(count: number): Promise<{ alerts: SyntheticAlert[]; jobIds: string[] }> {
    const offset = scenario * 100;
    scenario += 1;
    const alerts = syntheticAlerts({ count, runId: randomBytes(3).toString('hex'), ipsOf: (n) => freshIps(n + offset) });
    const jobs = await harness.enqueue(alerts);
    return { alerts, jobIds: jobs.map((job) => job.jobId) };
  }

  async function waitUntilHeld(count: number): Promise<void> {
    await waitFor(`${count} active jobs`, async () => (await harness.queue.getActiveCount()) === count, 60_000);
  }

  /** Sends `signal` and waits for the exit, at most EXIT_CAP_MS (then SIGKILL, and the code says so). */
  async function stopWithin(fleet: WorkerFleet, slot: number, signal: NodeJS.Signals, label: string): Promise<number | string> {
    const process = fleet.process(slot);
    if (!process) throw new Error(`no worker in slot ${slot}`);
    const sentAt = Date.now();
    const cap = setTimeout(() => process.child.kill('SIGKILL'), EXIT_CAP_MS);
    const code = await fleet.stop(slot, signal);
    clearTimeout(cap);
    const own = stopLines(process)[0]?.elapsedMs;
    measured.push([`${label}: exit code, signal → exit (s), worker's own count (s)`, `${code}, ${((Date.now() - sentAt) / 1000).toFixed(2)}, ${own === undefined ? '–' : (own / 1000).toFixed(2)}`]);
    return code;
  }

  /** Another worker takes the jobs over once their lock expires; each alert arrives once, under one webhook-id. */
  async function expectRecovered(alerts: readonly SyntheticAlert[]): Promise<void> {
    await harness.fleet.start(RECOVERY);
    await waitFor(
      () => `${alerts.length} alerts delivered after recovery (have ${alerts.filter((alert) => harness.webhookAlertIds().has(alert.id)).length})`,
      () => alerts.every((alert) => harness.webhookAlertIds().has(alert.id)),
      120_000,
    );
    expect(await stopWithin(harness.fleet, RECOVERY, 'SIGTERM', 'recovery worker')).toBe(EXIT_CODES.ok);
    const delivered = harness.webhookAlertIds();
    expect(alerts.map((alert) => delivered.get(alert.id))).toEqual(alerts.map(() => 1));
  }

  it('exits 0 at once when Redis is down and it holds no job (the reported hang)', async () => {
    const worker = await harness.fleet.start(WORKER);
    await harness.stopRedis();
    await waitFor('the worker to see Redis down', () => worker.output().includes('Redis unavailable'), 30_000);

    expect(await stopWithin(harness.fleet, WORKER, 'SIGTERM', 'Redis down, idle')).toBe(EXIT_CODES.ok);
    expect(stopLines(worker)).toMatchObject([{ exitCode: EXIT_CODES.ok, reason: 'drained', leftBehind: 0 }]);
    await harness.startRedisAgain();
  }, 120_000);

  it('exits 0 at once when told to stop while it is still connecting to Redis (no job held yet)', async () => {
    await harness.stopRedis();
    const worker = spawnCli(['worker'], harness.env);
    await waitFor('the worker to wait for Redis', () => worker.output().includes('Redis unavailable'), 30_000);
    worker.child.kill('SIGTERM');
    // Before this was handled, Node's default SIGTERM handler killed it: signal, no exit code.
    expect(await worker.exited).toBe(EXIT_CODES.ok);
    expect(worker.output()).toMatch(/SIGTERM while connecting to Redis; exiting before taking any job/);
    await harness.startRedisAgain();
  }, 120_000);

  it('SIGTERM while Redis is down: exits 3 after the timeout, and the jobs it held are delivered after recovery', async () => {
    harness.emulators.defender.setMode({ hangRate: 1 });
    const worker = await harness.fleet.start(WORKER);
    const { alerts, jobIds } = await enqueueFresh(HELD);
    await waitUntilHeld(HELD);
    await harness.stopRedis();
    await waitFor('the worker to see Redis down', () => worker.output().includes('Redis unavailable'), 30_000);

    expect(await stopWithin(harness.fleet, WORKER, 'SIGTERM', 'Redis down, jobs held')).toBe(EXIT_CODES.shutdownForced);
    const [line, ...more] = stopLines(worker);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ exitCode: EXIT_CODES.shutdownForced, reason: 'shutdown timeout', leftBehind: HELD });
    expect([...(line?.jobIds ?? [])].sort()).toEqual([...jobIds].sort());

    harness.emulators.defender.setMode({ hangRate: 0 });
    await harness.startRedisAgain();
    await expectRecovered(alerts);
  }, 240_000);

  it('SIGTERM while Defender hangs: exits 3 after the timeout, and the jobs it held are delivered after recovery', async () => {
    harness.emulators.defender.setMode({ hangRate: 1 });
    const worker = await harness.fleet.start(WORKER);
    const { alerts, jobIds } = await enqueueFresh(HELD);
    await waitUntilHeld(HELD);

    expect(await stopWithin(harness.fleet, WORKER, 'SIGTERM', 'Defender hangs')).toBe(EXIT_CODES.shutdownForced);
    const [line, ...more] = stopLines(worker);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ reason: 'shutdown timeout', leftBehind: HELD });
    expect([...(line?.jobIds ?? [])].sort()).toEqual([...jobIds].sort());

    harness.emulators.defender.setMode({ hangRate: 0 });
    await expectRecovered(alerts);
  }, 240_000);

  it('SIGTERM while the webhook hangs: exits 3 after the timeout; the redelivery reuses the webhook-id of the abandoned POST', async () => {
    const { receiver } = harness;
    // Longer than the timeout, shorter than WEBHOOK_TIMEOUT_MS: the POSTs are in flight at the exit.
    receiver.setMode({ status: 204, delayMs: 30_000 });
    const worker = await harness.fleet.start(WORKER);
    const posted = receiver.attempts.length;
    const { alerts, jobIds } = await enqueueFresh(HELD);
    await waitFor(`${HELD} POSTs in flight`, () => receiver.attempts.length - posted >= HELD, 60_000);
    const abandoned = receiver.attempts.slice(posted).map((attempt) => attempt.id);

    expect(await stopWithin(harness.fleet, WORKER, 'SIGTERM', 'webhook hangs')).toBe(EXIT_CODES.shutdownForced);
    const [line, ...more] = stopLines(worker);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ reason: 'shutdown timeout', leftBehind: HELD });
    expect([...(line?.jobIds ?? [])].sort()).toEqual([...jobIds].sort());

    receiver.setMode('accept');
    await expectRecovered(alerts);
    expect(abandoned.every((id) => id !== undefined && receiver.deliveries.has(id))).toBe(true);
  }, 240_000);

  it('a second signal exits at once, long before the timeout', async () => {
    // Its own fleet: a timeout this test could never wait out.
    const patient = new WorkerFleet({ ...harness.env, WORKER_SHUTDOWN_TIMEOUT_MS: String(10 * EXIT_CAP_MS) });
    harness.emulators.defender.setMode({ hangRate: 1 });
    const worker = await patient.start(WORKER);
    const { alerts } = await enqueueFresh(HELD);
    await waitUntilHeld(HELD);
    worker.child.kill('SIGTERM');
    await waitFor('the drain to begin', () => worker.output().includes('shutting down: finishing active jobs'), 30_000);

    expect(await stopWithin(patient, WORKER, 'SIGINT', 'second signal')).toBe(EXIT_CODES.shutdownForced);
    expect(stopLines(worker)).toMatchObject([{ exitCode: EXIT_CODES.shutdownForced, reason: 'second signal', leftBehind: HELD }]);

    harness.emulators.defender.setMode({ hangRate: 0 });
    await expectRecovered(alerts);

    const scan = await harness.scanForSecrets();
    reportFigures({
      scenario: 'worker-stop',
      title: `SIGTERM during outages (WORKER_SHUTDOWN_TIMEOUT_MS=${TIMEOUT_MS})`,
      seconds: (Date.now() - startedAt) / 1000,
      scan: { logLines: scan.logLines, texts: scan.texts, bytes: scan.bytes, findings: scan.findings.length },
      rows: measured,
    });
    expectNoSecretLeak(scan);
  }, 240_000);
});
