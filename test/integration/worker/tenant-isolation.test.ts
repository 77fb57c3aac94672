import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/composition/runtime.js';
import { startArmEmulator, type ArmEmulator } from '../../../src/emulators/arm.js';
import { verifyEmulatorToken } from '../../../src/emulators/emulator-token.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from '../../../src/emulators/logs-ingestion.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { readStoredResult, RedisJobRecord } from '../../../src/state/job-record.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startRuntimeWorker, type RuntimeWorker } from '../../support/runtime-worker.js';

const STREAM = 'Custom-IpEnrichment_CL';

function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`examples/alerts/${name}.json`, 'utf8')) as Record<string, unknown>;
}

interface TenantSide {
  readonly name: string;
  readonly tenantId: string;
  readonly secret: string;
  readonly dcr: string;
  readonly workspace: string;
  receiver: WebhookReceiver;
  logs: LogsIngestionEmulator;
  arm: ArmEmulator;
}

/** A Sentinel incident trigger (sample 48) for the given incident. */
function incidentAlert(incidentArmId: string): Record<string, unknown> {
  const incident = sample('48-sentinel-incident-trigger-constructed');
  incident.object = { ...(incident.object as Record<string, unknown>), id: incidentArmId };
  return incident;
}

/**
 * Two customers of one MSSP deployment, each with its own Entra app, webhook receiver and secret,
 * Sentinel DCR behind its own Logs Ingestion endpoint: every result goes only to its own tenant's
 * destinations, with its own credentials, and per-alert callbacks are signed with the tenant's secret.
 */
describe('tenants are a boundary: each tenant\'s results go only to its own destinations', () => {
  let emulators: Emulators;
  let callbacks: WebhookReceiver;
  let runtime: Runtime;
  let running: RuntimeWorker;
  const sides: TenantSide[] = [];

  beforeAll(async () => {
    emulators = await startEmulators({ entra: { resources: 'any' } });
    const key = emulators.entra.tokenSigningKey;
    const fabrikam = { tenantId: `fabrikam-${randomBytes(4).toString('hex')}`, clientId: 'fabrikam-app', secret: `f-${randomBytes(12).toString('hex')}` };
    emulators.entra.register({ tenantId: fabrikam.tenantId, clientId: fabrikam.clientId, secrets: [fabrikam.secret] });
    for (const [name, tenantId] of [['contoso', emulators.env.MDE_TENANT_ID ?? ''], ['fabrikam', fabrikam.tenantId]] as const) {
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const dcr = `dcr-${randomBytes(16).toString('hex')}`;
      // Each Logs Ingestion endpoint takes only tokens of its own tenant's identity.
      const logs = await startLogsIngestionEmulator({
        token: (bearer) => {
          const check = verifyEmulatorToken(bearer, key, { audiences: ['https://monitor.azure.com'] });
          return check.ok && check.claims.tid === tenantId;
        },
        rules: { [dcr]: [STREAM] },
      });
      // Each tenant's Sentinel answers only tokens of its own identity, for its own ARM audience.
      const arm: ArmEmulator = await startArmEmulator({
        token: (bearer) => {
          const check = verifyEmulatorToken(bearer, key, { audiences: [arm.url] });
          return check.ok && check.claims.tid === tenantId;
        },
      });
      const workspace = `/subscriptions/${randomUUID()}/resourceGroups/${name}-rg/providers/Microsoft.OperationalInsights/workspaces/${name}-soc`;
      sides.push({ name, tenantId, secret, dcr, workspace, logs, arm, receiver: await startWebhookReceiver({ secret }) });
    }
    const [contosoSide, fabrikamSide] = sides;
    if (!contosoSide || !fabrikamSide) throw new Error('two tenants expected');
    callbacks = await startWebhookReceiver({ secret: fabrikamSide.secret });

    const sinksOf = (side: TenantSide) => ({
      SINKS: 'webhook,sentinel',
      WEBHOOK_URL: `${side.receiver.url}/hook`,
      WEBHOOK_SECRET: side.secret,
      SENTINEL_INGESTION_ENDPOINT: side.logs.url,
      SENTINEL_DCR_ID: side.dcr,
      SENTINEL_ARM_ENDPOINT: side.arm.url,
      SENTINEL_WORKSPACES: side.workspace,
      // Each tenant labels its rare-IP incidents with a label of its own.
      SENTINEL_RARE_LABEL: `${side.name}-rare-ip`,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'ipe-tenants-')), 'ipenrich.json');
    writeFileSync(file, JSON.stringify({
      tenants: {
        // contoso inherits its Defender credential from the top level (the emulators' default client).
        contoso: sinksOf(contosoSide),
        fabrikam: {
          MDE_TENANT_ID: fabrikam.tenantId,
          MDE_CLIENT_ID: fabrikam.clientId,
          MDE_CLIENT_SECRET: fabrikam.secret,
          ...sinksOf(fabrikamSide),
          WEBHOOK_CALLBACK_ALLOWLIST: '127.0.0.1',
          WEBHOOK_ALLOW_PRIVATE_CALLBACKS: 'true',
        },
      },
    }));
    running = await startRuntimeWorker(
      { ...emulators.env, IPENRICH_CONFIG: file, IPENRICH_DEFAULT_TENANT: 'contoso', REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: uniquePrefix('tenants'), LOG_LEVEL: 'silent' });
    ({ runtime } = running);
  });

  afterAll(async () => {
    await running.close();
    await Promise.all([callbacks.close(), emulators.close(), ...sides.flatMap((side) => [side.receiver.close(), side.logs.close(), side.arm.close()])]);
  });

  it('writes rows and webhooks with each tenant\'s own identity and secret, and signs callbacks with the tenant\'s secret', async () => {
    const [contosoSide, fabrikamSide] = sides;
    if (!contosoSide || !fabrikamSide) throw new Error('two tenants expected');
    const intake = { defaultTenant: 'contoso', attempts: 3 };
    const [contosoJob] = await acceptAlerts(runtime.queue, [{ alert: sample('07-suricata-eve-alert'), tenant: 'contoso' }], intake);
    const [fabrikamJob] = await acceptAlerts(
      runtime.queue,
      [{ alert: sample('49-graph-alert-ipevidence-constructed'), tenant: 'fabrikam', callbackUrl: `${callbacks.url}/playbook?sig=abc` }],
      intake,
    );
    await waitFor('both jobs completed', async () => (await runtime.queue.getCompletedCount()) === 2, 60_000);

    const alertIdsOf = (side: TenantSide) => ({
      webhooks: [...side.receiver.deliveries.values()].map((delivery) => (delivery.payload as { data: { alertId: string; tenant: string } }).data),
      rows: side.logs.rows.map((row) => String(row.AlertId)),
    });
    const contoso = alertIdsOf(contosoSide);
    const fabrikam = alertIdsOf(fabrikamSide);
    expect(contoso.webhooks).toEqual([{ ...contoso.webhooks[0], alertId: contosoJob?.alertId, tenant: 'contoso' }]);
    expect(fabrikam.webhooks).toEqual([{ ...fabrikam.webhooks[0], alertId: fabrikamJob?.alertId, tenant: 'fabrikam' }]);
    expect(new Set(contoso.rows)).toEqual(new Set([contosoJob?.alertId]));
    expect(new Set(fabrikam.rows)).toEqual(new Set([fabrikamJob?.alertId]));
    // Tokens of the other tenant's identity were never presented to a tenant's endpoint.
    expect(contosoSide.logs.counters.rejected + fabrikamSide.logs.counters.rejected).toBe(0);
    expect(contosoSide.receiver.counters.rejectedSignatures + fabrikamSide.receiver.counters.rejectedSignatures).toBe(0);

    // The callback went out signed with fabrikam's secret (the receiver verifies with it), with the tenant in the signed payload.
    expect(callbacks.counters.rejectedSignatures).toBe(0);
    const [callback] = [...callbacks.deliveries.values()];
    expect((callback?.payload as { data: { tenant: string; alertId: string } }).data).toMatchObject({ tenant: 'fabrikam', alertId: fabrikamJob?.alertId });
  }, 90_000);

  it('comments on and labels each tenant\'s own incidents with its own identity, and refuses another tenant\'s incident without any ARM call', async () => {
    const [contosoSide, fabrikamSide] = sides;
    if (!contosoSide || !fabrikamSide) throw new Error('two tenants expected');
    const contosoIncident = contosoSide.arm.addIncident({}, contosoSide.workspace);
    const fabrikamIncident = fabrikamSide.arm.addIncident({}, fabrikamSide.workspace);
    // The incident's IP (sample 48) is rare in both organizations: each incident gets its tenant's label.
    emulators.defender.setIpStats('45.155.205.233', { prevalence: 1, firstSeen: '2026-11-20T08:00:00Z', lastSeen: '2026-11-26T09:00:00Z' });
    const requestsBefore = [contosoSide.arm.counters.requests, fabrikamSide.arm.counters.requests];
    const intake = { defaultTenant: 'contoso', attempts: 3 };
    const jobs = await acceptAlerts(
      runtime.queue,
      [
        { alert: incidentAlert(contosoIncident), tenant: 'contoso' },
        { alert: incidentAlert(fabrikamIncident), tenant: 'fabrikam' },
        // fabrikam names one of contoso's incidents.
        { alert: { ...incidentAlert(contosoIncident), forged: true }, tenant: 'fabrikam' },
      ],
      intake,
    );
    const ids = jobs.map((job) => job.jobId);
    await waitFor('the three incident jobs', async () => (await Promise.all(ids.map((id) => runtime.queue.getJob(id)))).every((job) => job?.finishedOn !== undefined), 60_000);

    expect(contosoSide.arm.commentsOf(contosoIncident)).toHaveLength(1);
    expect(fabrikamSide.arm.commentsOf(fabrikamIncident)).toHaveLength(1);
    // Two comments, each a PUT to its own tenant's ARM: the forged one made no request anywhere.
    expect(contosoSide.arm.counters.commentPuts).toBe(1);
    expect(fabrikamSide.arm.counters.commentPuts).toBe(1);
    expect(contosoSide.arm.counters.rejected + fabrikamSide.arm.counters.rejected).toBe(0);
    // Per tenant: its comment PUT, and the label's GET and PUT of the incident; nothing for the forged one.
    expect([contosoSide.arm.counters.requests - (requestsBefore[0] ?? 0), fabrikamSide.arm.counters.requests - (requestsBefore[1] ?? 0)]).toEqual([3, 3]);
    const labelsOf = (side: TenantSide, incident: string): string[] => side.arm.incident(incident)?.properties.labels.map((label) => label.labelName) ?? [];
    expect(labelsOf(contosoSide, contosoIncident)).toEqual(['contoso-rare-ip']);
    expect(labelsOf(fabrikamSide, fabrikamIncident)).toEqual(['fabrikam-rare-ip']);
    const forged = await runtime.queue.getJob(ids[2] ?? '');
    expect(await readStoredResult(runtime.redis, runtime.keys, ids[2] ?? '')).toMatchObject({ tenant: 'fabrikam', incidentArmId: contosoIncident });
    expect(await forged?.isCompleted()).toBe(true);
    // The job's record (and `status`) says why no comment was written.
    const record = await new RedisJobRecord(runtime.redis, runtime.keys, ids[2] ?? '').sink('sentinel');
    expect(record.notes.join(' ')).toMatch(/refused: workspace .* is not in SENTINEL_WORKSPACES/);
  }, 90_000);
});
