import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/composition/runtime.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { collectStatus } from '../../../src/status/collect-status.js';
import { renderStatus } from '../../../src/status/render-status.js';
import { waitFor } from '../../support/cli-process.js';
import { startTenantsWorker, type TenantsWorker, type TenantWebhooks } from '../../support/tenant-webhooks.js';

/**
 * Two customers with a webhook each: fabrikam's receiver keeps answering 503 while contoso's accepts.
 * A real worker delivers both tenants' alerts; `status` must say fabrikam's webhook is failing even
 * after contoso's later success, and must not call contoso's failing.
 */
describe('sink health is kept per tenant: one tenant\'s success does not hide another\'s failing sink', () => {
  let running: TenantsWorker;
  let webhooks: TenantWebhooks;
  let runtime: Runtime;

  beforeAll(async () => {
    running = await startTenantsWorker(['contoso', 'fabrikam'], { label: 'health-tenants' });
    ({ webhooks, runtime } = running);
    webhooks.receivers.get('fabrikam')?.setMode({ status: 503 });
  });

  afterAll(async () => running.close());

  it('shows fabrikam\'s webhook failing and contoso\'s ok, as JSON and text', async () => {
    const alert = JSON.parse(readFileSync('examples/alerts/07-suricata-eve-alert.json', 'utf8')) as Record<string, unknown>;
    const intake = { defaultTenant: 'contoso', attempts: 3 };
    // fabrikam's delivery fails first (the job waits for a retry), then contoso's succeeds.
    const [failing] = await acceptAlerts(runtime.queue, [{ alert, tenant: 'fabrikam' }], intake);
    await waitFor('fabrikam\'s job waiting for a retry', async () => (await runtime.queue.getJob(failing?.jobId ?? ''))?.isDelayed() ?? false, 60_000);
    const [succeeding] = await acceptAlerts(runtime.queue, [{ alert, tenant: 'contoso' }], intake);
    await waitFor('contoso\'s job completed', async () => (await runtime.queue.getJob(succeeding?.jobId ?? ''))?.isCompleted() ?? false, 60_000);
    expect(webhooks.receivers.get('contoso')?.deliveries.size).toBe(1);
    expect(webhooks.receivers.get('fabrikam')?.deliveries.size).toBe(0);

    const report = JSON.parse(JSON.stringify(await collectStatus(runtime))) as {
      tenants: { tenant: string; sinks: string[]; sinkHealth?: Record<string, { failuresSinceSuccess: number; lastSuccessAt: string | null; lastError: string | null }> }[];
      sinks: { disabledEndpoints: number };
    };
    const healthOf = (tenant: string) => report.tenants.find((t) => t.tenant === tenant)?.sinkHealth?.webhook;
    expect(healthOf('fabrikam')).toMatchObject({ lastSuccessAt: null, lastError: expect.stringContaining('503') as string });
    expect(healthOf('fabrikam')?.failuresSinceSuccess).toBeGreaterThan(0);
    expect(healthOf('contoso')).toMatchObject({ failuresSinceSuccess: 0, lastError: null, lastSuccessAt: expect.any(String) as string });
    expect(report.sinks.disabledEndpoints).toBe(0);

    const text = renderStatus(await collectStatus(runtime));
    expect(text).toMatch(/^Tenant fabrikam\n(?: {2}.*\n)*? {2}sinks {2}webhook\n {4}webhook +FAILING \(\d+ since last success\): SINK_UNAVAILABLE: .*503.* {2}last success never$/m);
    expect(text).toMatch(/^Tenant contoso\n(?: {2}.*\n)*? {2}sinks {2}webhook\n {4}webhook +ok {2}last success \d{4}-/m);
  }, 90_000);
});
