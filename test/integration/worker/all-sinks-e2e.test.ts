import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import type { Runtime } from '../../../src/composition/runtime.js';
import { startArmEmulator, type ArmEmulator } from '../../../src/emulators/arm.js';
import { verifyEmulatorToken } from '../../../src/emulators/emulator-token.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from '../../../src/emulators/logs-ingestion.js';
import { startHecEmulator, type HecEmulator } from '../../../src/emulators/splunk-hec.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startRuntimeWorker, type RuntimeWorker } from '../../support/runtime-worker.js';

const HEC_TOKEN = `hec-${randomBytes(8).toString('hex')}`;
const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const STREAM = 'Custom-IpEnrichment_CL';

function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`examples/alerts/${name}.json`, 'utf8')) as Record<string, unknown>;
}

describe('all three sinks end to end, one of them down for a while', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let emulators: Emulators;
  let logs: LogsIngestionEmulator;
  let arm: ArmEmulator;
  let hec: HecEmulator;
  let receiver: WebhookReceiver;
  let runtime: Runtime;
  let running: RuntimeWorker;

  beforeAll(async () => {
    // The ARM emulator's own URL is the ARM audience here, so the Entra emulator must know any resource.
    emulators = await startEmulators({ entra: { resources: 'any' } });
    const key = emulators.entra.tokenSigningKey;
    logs = await startLogsIngestionEmulator({
      token: (bearer) => verifyEmulatorToken(bearer, key, { audiences: ['https://monitor.azure.com'] }).ok,
      rules: { [DCR]: [STREAM] },
    });
    arm = await startArmEmulator({ token: (bearer) => verifyEmulatorToken(bearer, key, { audiences: [arm.url] }).ok });
    hec = await startHecEmulator({ token: HEC_TOKEN });
    receiver = await startWebhookReceiver({ secret });
    running = await startRuntimeWorker(
      {
        ...emulators.env,
        REDIS_URL: testRedisUrl(),
        IPENRICH_PREFIX: uniquePrefix('sinks'),
        SINKS: 'sentinel,splunk,webhook',
        WEBHOOK_URL: `${receiver.url}/hook`,
        WEBHOOK_SECRET: secret,
        SPLUNK_HEC_URL: hec.url,
        SPLUNK_HEC_TOKEN: HEC_TOKEN,
        SENTINEL_INGESTION_ENDPOINT: logs.url,
        SENTINEL_DCR_ID: DCR,
        SENTINEL_ARM_ENDPOINT: arm.url,
        // One customer: its alerts may comment in any workspace its identity reaches.
        SENTINEL_WORKSPACES: '*',
        SINK_RETRY_BASE_MS: '200',
        SINK_RETRY_MAX_DELAY_MS: '1000',
        WORKER_CONCURRENCY: '4',
        LOG_LEVEL: 'silent',
      });
    ({ runtime } = running);
  });

  afterAll(async () => {
    await running.close();
    await Promise.all([receiver.close(), hec.close(), arm.close(), logs.close(), emulators.close()]);
  });

  it('delays only the sink that is down, then delivers there everything, and nothing twice elsewhere', async () => {
    const incidentArmId = arm.addIncident();
    const incident = sample('48-sentinel-incident-trigger-constructed');
    incident.object = { ...(incident.object as Record<string, unknown>), id: incidentArmId };
    const alerts = [
      incident,
      sample('47-sentinel-securityalert-ip-entities-constructed'),
      sample('07-suricata-eve-alert'),
      sample('36-ecs-cef-checkpoint-nat-zero-address'),
      sample('45-splunk-es-notable-webhook-calseta-example'),
      sample('49-graph-alert-ipevidence-constructed'),
    ];

    const hecPort = Number(new URL(hec.url).port);
    await hec.close(); // Splunk is down when the alerts arrive
    const jobs = await acceptAlerts(runtime.queue, alerts.map((alert) => ({ alert })), { defaultTenant: 'default', attempts: 3 });
    const alertIds = new Set(jobs.map((job) => job.alertId));

    await waitFor('webhook and Sentinel deliveries', () => receiver.deliveries.size === alerts.length && new Set(logs.rows.map((row) => row.AlertId)).size === alerts.length, 60_000);
    await waitFor('jobs waiting for Splunk in delayed', async () => (await runtime.queue.getDelayedCount()) > 0, 20_000);
    expect(await runtime.queue.getCompletedCount()).toBe(0);

    hec = await startHecEmulator({ token: HEC_TOKEN, port: hecPort }); // Splunk is back
    let diagnosis = '';
    await waitFor(() => `every result in Splunk (${diagnosis})`, async () => {
      const counts = await runtime.queue.getJobCounts();
      const failed = await runtime.queue.getFailed();
      diagnosis = `${JSON.stringify(counts)} hec=${JSON.stringify(hec.counters)} failed=${failed.map((job) => job.failedReason).join('; ')}`;
      return counts.completed === alerts.length;
    }, 60_000);

    const splunkAlerts = hec.events.map((event) => (event.event as { alertId: string }).alertId);
    expect(new Set(splunkAlerts)).toEqual(alertIds);
    expect(splunkAlerts).toHaveLength(alerts.length);
    // Nothing was sent twice to the sinks that stayed up.
    expect(receiver.counters.duplicates).toBe(0);
    expect(receiver.counters.accepted).toBe(alerts.length);
    const rowKeys = logs.rows.map((row) => `${String(row.AlertId)}|${String(row.IpAddress)}`);
    expect(new Set(rowKeys).size).toBe(rowKeys.length);
    const comments = arm.commentsOf(incidentArmId);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.writes).toBe(1);
    expect(comments[0]?.message).toContain('45.155.205.233');
  }, 150_000);
});
