import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkHealthBoard } from '../../src/state/sink-health.js';
import { waitFor } from '../support/cli-process.js';
import { reportFigures, sized } from './support/figures.js';
import { expectNoSecretLeak, ScenarioHarness } from './support/scenario-harness.js';
import { pooledIps, syntheticAlerts } from './support/synthetic-alerts.js';

/**
 * Scenario 3: three sinks (webhook, Splunk HEC, Sentinel Logs Ingestion); Splunk goes down (every
 * connection cut) in the middle of the work and stays down until the other two have everything.
 * Jobs wait in `delayed` for Splunk alone; when it returns, it gets every result once, and the
 * sinks that stayed up never see a result twice.
 */
const ALERTS = sized(120, 600);
/** Splunk stays down at least this long, and until the other sinks have every alert. */
const MIN_OUTAGE_MS = sized(3_000, 10_000);
const WORKERS = 2;
/** How long the other sinks may take to get every alert while Splunk is down (they need seconds). */
const OTHERS_WAIT_MS = sized(30_000, 60_000);

function duplicates(keys: readonly string[]): number {
  return keys.length - new Set(keys).size;
}

describe('reliability: one sink down for a while', () => {
  let harness: ScenarioHarness;

  beforeAll(async () => {
    harness = await ScenarioHarness.start({
      label: 'sink',
      sinks: ['webhook', 'splunk', 'sentinel'],
      rateLimits: '200/1s,2000/10s',
      defenderMode: { latencyMs: 20 },
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('delivers to the sink that was down once it returns, and nothing twice to the others', async () => {
    const alerts = syntheticAlerts({ count: ALERTS, runId: randomBytes(3).toString('hex'), ipsOf: pooledIps(ALERTS) });
    const { hec, logs, receiver } = harness;
    const splunkAlertIds = (): string[] => hec.events.map((event) => (event.event as { alertId: string }).alertId);
    const sentinelAlerts = (): number => new Set(logs.rows.map((row) => String(row.AlertId))).size;
    await harness.fleet.startAll(WORKERS);
    const started = Date.now();

    await harness.enqueue(alerts);
    await waitFor('the first results in Splunk', () => hec.events.length >= ALERTS / 10, 60_000, 10);
    hec.setMode({ kind: 'down' });
    const downAt = Date.now();
    const inSplunkBefore = new Set(splunkAlertIds()).size;
    const missingBySeverity = (): string => {
      const delivered = harness.webhookAlertIds();
      const missing: Record<string, number> = {};
      for (const alert of alerts) if (!delivered.has(alert.id)) missing[alert.severity] = (missing[alert.severity] ?? 0) + 1;
      return JSON.stringify(missing);
    };
    // Measured, not awaited with a throw: if the outage holds back the other sinks, the figures say how.
    const othersDone = (): boolean => receiver.deliveries.size >= ALERTS && sentinelAlerts() >= ALERTS;
    await waitFor('webhook and Sentinel to have every alert', othersDone, OTHERS_WAIT_MS).catch(() => undefined);
    const othersComplete = othersDone();
    const othersAt = { webhook: receiver.deliveries.size, sentinel: sentinelAlerts(), missing: missingBySeverity(), seconds: (Date.now() - downAt) / 1000 };
    await sleep(Math.max(0, MIN_OUTAGE_MS - (Date.now() - downAt)));
    const counts = await harness.queue.getJobCounts('completed', 'delayed', 'waiting', 'prioritized', 'failed');
    const health = (await new SinkHealthBoard(harness.redis, harness.keys).read(harness.config.IPENRICH_DEFAULT_TENANT)).splunk;
    const refusedWhileDown = hec.counters.eventPosts;

    hec.setMode({ kind: 'normal' });
    const backAt = Date.now();
    await harness.waitUntilSettled(ALERTS, 120_000);
    await waitFor('every alert in Splunk', () => new Set(splunkAlertIds()).size >= ALERTS, 30_000);
    const doneAt = Date.now();

    const final = await harness.queue.getJobCounts('completed', 'failed');
    const inSplunk = new Set(splunkAlertIds());
    const rowKeys = logs.rows.map((row) => `${String(row.AlertId)}|${String(row.IpAddress)}`);
    const lost = alerts.filter((alert) => !inSplunk.has(alert.id) || !harness.webhookAlertIds().has(alert.id)).length - (final.failed ?? 0);
    const scan = await harness.scanForSecrets();

    reportFigures({
      scenario: 'sink-outage',
      title: 'Splunk HEC down for a period (webhook and Sentinel up)',
      seconds: (doneAt - started) / 1000,
      scan: { logLines: scan.logLines, texts: scan.texts, bytes: scan.bytes, findings: scan.findings.length },
      rows: [
        ['alerts', ALERTS],
        ['worker processes', WORKERS],
        ['Splunk down for (s)', ((backAt - downAt) / 1000).toFixed(1)],
        ['alerts in Splunk before it went down', inSplunkBefore],
        ['jobs completed / delayed / queued when Splunk returned', `${counts.completed ?? 0} / ${counts.delayed ?? 0} / ${(counts.waiting ?? 0) + (counts.prioritized ?? 0)}`],
        ['Splunk health seen by `ipenrich status` during the outage', `${health?.failuresSinceSuccess ?? 0} failures, last: ${health?.lastError ?? 'none'}`],
        ['alerts in webhook / Sentinel while Splunk was down', `${othersAt.webhook} / ${othersAt.sentinel} after ${othersAt.seconds.toFixed(1)} s${othersComplete ? '' : `; missing by severity ${othersAt.missing}`}`],
        ['Splunk back → every result in Splunk (s)', ((doneAt - backAt) / 1000).toFixed(1)],
        ['alerts lost', lost],
        ['alerts in the dead-letter queue', final.failed ?? 0],
        ['duplicates: webhook (same webhook-id) / Sentinel rows / Splunk events', `${receiver.counters.duplicates} / ${duplicates(rowKeys)} / ${duplicates(splunkAlertIds())}`],
      ],
    });

    expect(refusedWhileDown).toBeGreaterThan(0);
    // Splunk being down held back nothing else: the others had every alert before it returned.
    expect(othersAt.missing).toBe('{}');
    expect(othersComplete).toBe(true);
    expect(counts.completed ?? 0).toBeLessThan(ALERTS);
    expect(health?.failuresSinceSuccess ?? 0).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(final.failed).toBe(0);
    expect(final.completed).toBe(ALERTS);
    expect(inSplunk.size).toBe(ALERTS);
    expect(receiver.counters.duplicates).toBe(0);
    expect(duplicates(rowKeys)).toBe(0);
    expect(rowKeys).toHaveLength(2 * ALERTS - alerts.filter((alert) => alert.source.ip === alert.destination.ip).length);
    expect(duplicates(splunkAlertIds())).toBe(0);
    expectNoSecretLeak(scan);
  }, sized(120_000, 300_000));
});
