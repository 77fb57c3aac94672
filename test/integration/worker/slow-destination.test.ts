import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/composition/runtime.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { readPendingDeliveries } from '../../../src/state/job-record.js';
import { waitFor } from '../../support/cli-process.js';
import { startTenantsWorker, type TenantsWorker, type TenantWebhooks } from '../../support/tenant-webhooks.js';

/**
 * One worker slot, two customers. contoso's receiver takes every request and never answers (within
 * its 120-s timeout); fabrikam's answers at once. fabrikam's alert, queued while contoso's delivery
 * hangs, must still get the slot and be delivered: the hanging delivery gives the slot up after
 * SINK_SLOT_YIELD_MS because another alert wants it, and contoso's job waits for a sink retry.
 */
describe('a destination that never answers does not keep other tenants\' alerts from a worker slot', () => {
  let running: TenantsWorker;
  let webhooks: TenantWebhooks;
  let runtime: Runtime;

  beforeAll(async () => {
    running = await startTenantsWorker(['contoso', 'fabrikam'], {
      label: 'slow-destination',
      webhook: { WEBHOOK_TIMEOUT_MS: '120000' },
      env: { WORKER_CONCURRENCY: '1', SINK_SLOT_YIELD_MS: '200' },
    });
    ({ webhooks, runtime } = running);
    webhooks.receivers.get('contoso')?.setMode({ status: 200, delayMs: 120_000 });
  });

  afterAll(async () => running.close());

  it('delivers fabrikam\'s alert while contoso\'s receiver hangs, and retries contoso\'s later', async () => {
    const alert = JSON.parse(readFileSync('examples/alerts/07-suricata-eve-alert.json', 'utf8')) as Record<string, unknown>;
    const intake = { defaultTenant: 'contoso', attempts: 3 };
    const [hanging] = await acceptAlerts(runtime.queue, [{ alert, tenant: 'contoso' }], intake);
    // contoso's delivery is under way (its receiver holds the request) in the worker's only slot.
    await waitFor('contoso\'s delivery to reach its receiver', () => (webhooks.receivers.get('contoso')?.attempts.length ?? 0) > 0, 30_000);
    const [other] = await acceptAlerts(runtime.queue, [{ alert, tenant: 'fabrikam' }], intake);
    await waitFor('fabrikam\'s alert delivered', async () => (await runtime.queue.getJob(other?.jobId ?? ''))?.isCompleted() ?? false, 30_000);
    expect(webhooks.receivers.get('fabrikam')?.deliveries.size).toBe(1);

    // contoso's job gave the slot up: it waits for a sink retry, with the reason recorded.
    const held = await runtime.queue.getJob(hanging?.jobId ?? '');
    expect(await held?.isDelayed()).toBe(true);
    const [pending] = await readPendingDeliveries(runtime.redis, runtime.keys, hanging?.jobId ?? '');
    expect(pending?.sink).toBe('webhook');
    expect(pending?.lastError).toMatch(/^SINK_UNAVAILABLE: no answer within 200 ms while other alerts waited for a worker slot/);
    expect(webhooks.receivers.get('contoso')?.deliveries.size).toBe(0);
  }, 90_000);
});
