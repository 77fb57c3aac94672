import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import type { Runtime } from '../../../src/composition/runtime.js';
import { writeEmulatorTenantsFile } from '../../../src/emulators/tenants-file.js';
import { startEmulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { SEVERITIES } from '../../../src/queue/priority.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startRuntimeWorker, type RuntimeWorker } from '../../support/runtime-worker.js';

function ecsAlert(id: string, severity: 'high' | 'low', ip: string): unknown {
  return { '@timestamp': '2026-11-26T10:00:00Z', event: { id, kind: 'alert', severity }, related: { ip: [ip] } };
}

interface TwoTenants {
  readonly receiver: WebhookReceiver;
  readonly running: RuntimeWorker;
  close(): Promise<void>;
}

/** Tenants a and b, each with an Entra tenant (so a budget) of its own, one webhook receiver, and a worker with `env`. */
async function startTwoTenants(label: string, env: Record<string, string>): Promise<TwoTenants> {
  const emulators = await startEmulators();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startWebhookReceiver({ secret });
  const running = await startRuntimeWorker({
    ...emulators.env,
    REDIS_URL: testRedisUrl(),
    IPENRICH_PREFIX: uniquePrefix(label),
    IPENRICH_CONFIG: writeEmulatorTenantsFile(['a', 'b'], { ...emulators.env, WEBHOOK_SECRET: secret }, emulators.entra),
    SINKS: 'webhook',
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: secret,
    LOG_LEVEL: 'silent',
    ...env,
  });
  return {
    receiver,
    running,
    async close() {
      await running.close();
      await receiver.close();
      await emulators.close();
    },
  };
}

describe('fair share with one worker slot: tenants take turns, severity orders a tenant’s alerts', () => {
  let started: TwoTenants;
  let receiver: WebhookReceiver;
  let runtime: Runtime;

  beforeAll(async () => {
    started = await startTwoTenants('fair', { WORKER_CONCURRENCY: '1' });
    ({ receiver } = started);
    ({ runtime } = started.running);
  });

  afterAll(() => started.close());

  it('delivers tenant b’s alert, queued after a’s backlog, before most of it, and a’s high alert before a’s earlier low ones', async () => {
    const options = { defaultTenant: 'default', attempts: 3 };
    // Everything is queued before the worker takes any job, so the order is the queue's alone.
    await runtime.queue.pause();
    const backlog = Array.from({ length: 8 }, (_, n) => ({ alert: ecsAlert(`a-low-${n}`, 'low', `198.51.100.${n + 1}`), tenant: 'a' }));
    await acceptAlerts(runtime.queue, backlog, options);
    await acceptAlerts(runtime.queue, [{ alert: ecsAlert('b-low-0', 'low', '203.0.113.1'), tenant: 'b' }], options);
    await acceptAlerts(runtime.queue, [{ alert: ecsAlert('a-high-0', 'high', '203.0.113.2'), tenant: 'a' }], options);
    await runtime.queue.resume();

    await waitFor('every delivery', () => receiver.deliveries.size === 10, 30_000);
    // One slot: the receiver's order of arrival is the order the jobs were served.
    const order = [...receiver.deliveries.values()].map((delivery) => (delivery.payload as { data: { alertId: string } }).data.alertId);
    expect(order[0]).toBe('a-high-0');
    // b's turn comes right after a's first low alert (same round, queued after it), not after all eight.
    expect(order.indexOf('b-low-0')).toBe(2);
    expect(order.filter((id) => id.startsWith('a-low-'))).toEqual(backlog.map((_, n) => `a-low-${n}`));

    // Every job left its tenant's pending jobs when it completed.
    const pendingKeys = ['a', 'b'].flatMap((tenant) => SEVERITIES.map((severity) => runtime.keys.pendingJobs(tenant, severity)));
    await expect.poll(async () => (await Promise.all(pendingKeys.map((key) => runtime.redis.zcard(key)))).reduce((sum, n) => sum + n, 0)).toBe(0);
  });
});

describe('a worker going through one tenant’s starved backlog while another tenant is served', () => {
  let started: TwoTenants;

  beforeAll(async () => {
    // One call an hour per tenant: a's backlog is starved after its first alert.
    started = await startTwoTenants('fair-cpu', { MDE_RATE_LIMITS: '1/3600s', WORKER_CONCURRENCY: '8', WORKER_BUDGET_WAIT_CONCURRENCY: '2' });
  });

  afterAll(() => started.close());

  it('takes WORKER_BUDGET_WAIT_CONCURRENCY jobs at once instead of WORKER_CONCURRENCY', async () => {
    const { receiver, running } = started;
    const { runtime } = running;
    const worker = running.worker.alertWorker.worker;
    const options = { defaultTenant: 'default', attempts: 3 };
    await acceptAlerts(runtime.queue, [{ alert: ecsAlert('b-0', 'low', '203.0.113.1'), tenant: 'b' }], options);
    await waitFor('b’s alert', () => receiver.deliveries.size === 1, 30_000);
    expect(worker.concurrency).toBe(8);

    const backlog = Array.from({ length: 48 }, (_, n) => ({ alert: ecsAlert(`a-${n}`, 'low', `198.51.100.${n + 1}`), tenant: 'a' }));
    await acceptAlerts(runtime.queue, backlog, options);
    // a's first alert spends its call; the other 47 wait for budget in *delayed*.
    await waitFor('a’s backlog looked at', async () => (await runtime.queue.getJobCountByTypes('delayed')) === 47, 30_000);
    expect(worker.concurrency).toBe(2);
  });
});
