import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CALLS, LIMITER_WAITS } from '../../../src/metrics/shared-metric-definitions.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { alertResultSchema } from '../../../src/result/schema.js';
import { readStoredResult } from '../../../src/state/job-record.js';
import { waitFor } from '../../support/cli-process.js';
import { ecsAlert, startBudgetWorker, type BudgetWorker } from './support/budget-worker.js';

describe('budget exhaustion: cached work flows, starved work waits in delayed', () => {
  let harness: BudgetWorker;

  beforeAll(async () => {
    harness = await startBudgetWorker('budget', { MDE_RATE_LIMITS: '2/60s', WORKER_BUDGET_WAIT_MS: '200', METRICS_FLUSH_MS: '100' });
  });
  afterAll(async () => harness.close());

  it('completes an alert whose IPs are cached while a budget-starved alert sits in delayed, holding no slot', async () => {
    const { runtime, emulators, stateOf } = harness;
    const options = { defaultTenant: 'default', attempts: 3 };
    const [warm] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('warm', ['203.0.113.10', '203.0.113.11']) }], options);
    await waitFor('the warm-up alert', async () => (await stateOf(warm?.jobId ?? '')) === 'completed', 20_000);
    expect(emulators.defender.counters.totalCalls).toBe(2); // the whole budget (2/60s) is spent

    const [starved] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('starved', ['198.51.100.1', '198.51.100.2', '198.51.100.3']) }], options);
    await waitFor('the starved alert to be deferred', async () => (await stateOf(starved?.jobId ?? '')) === 'delayed', 20_000);

    // One slot only: if the starved job held it while waiting, this alert could not complete.
    const [cached] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('cached', ['203.0.113.11', '203.0.113.10']) }], options);
    await waitFor('the cached alert', async () => (await stateOf(cached?.jobId ?? '')) === 'completed', 20_000);

    expect(await stateOf(starved?.jobId ?? '')).toBe('delayed');
    expect(await runtime.queue.getActiveCount()).toBe(0);
    const delayed = await runtime.queue.getJob(starved?.jobId ?? '');
    expect(delayed?.delay).toBeGreaterThan(0);
    expect(emulators.defender.counters.totalCalls).toBe(2);

    const result = alertResultSchema.parse(await readStoredResult(runtime.redis, runtime.keys, cached?.jobId ?? ''));
    expect(result.ips.map((ip) => [ip.ip, ip.cached])).toEqual([
      ['203.0.113.11', true],
      ['203.0.113.10', true],
    ]);
    for (const ip of result.ips) expect(['enriched', 'not_seen']).toContain(ip.status);

    // The worker's shared metrics (read by the ingress /metrics) saw the same: 2 calls, a deferral.
    const total = async (name: string, labelPrefix: string): Promise<number> => {
      const fields = await runtime.redis.hgetall(runtime.keys.metric(name));
      return Object.entries(fields).filter(([field]) => field.startsWith(labelPrefix)).reduce((sum, [, value]) => sum + Number(value), 0);
    };
    await expect.poll(() => total(API_CALLS.name, '["default",'), { timeout: 5_000 }).toBe(2);
    await expect.poll(() => total(LIMITER_WAITS.name, '["default","deferred"]'), { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
  });
});

describe('budget exhaustion past WORKER_MAX_DEFER_MS', () => {
  let harness: BudgetWorker;

  beforeAll(async () => {
    harness = await startBudgetWorker('budget-patience', {
      // One call an hour: the starved IPs' wake-up slots lie an hour and more ahead.
      MDE_RATE_LIMITS: '1/3600s',
      WORKER_BUDGET_WAIT_MS: '100',
      WORKER_MAX_DEFER_MS: '1500',
    });
  });
  afterAll(async () => harness.close());

  it('comes back when the alert has waited WORKER_MAX_DEFER_MS, not at a later wake-up slot, and delivers what is known', async () => {
    const { runtime, emulators } = harness;
    const [alert] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('patient', ['198.51.100.21', '198.51.100.22', '198.51.100.23']) }], {
      defaultTenant: 'default',
      attempts: 3,
    });
    const jobId = alert?.jobId ?? '';
    // Far sooner than the next slot (an hour): only the alert's own patience can bring it back.
    await waitFor('the alert delivered partially', async () => (await runtime.queue.getJob(jobId))?.finishedOn !== undefined, 30_000);
    const result = alertResultSchema.parse(await readStoredResult(runtime.redis, runtime.keys, jobId));
    expect(result.partial).toBe(true);
    expect(result.ips.filter((ip) => ip.status === 'deferred')).toHaveLength(2);
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });
});

describe('a miss waiting for budget inside its slot gives the slot up when another alert wants it', () => {
  let harness: BudgetWorker;

  beforeAll(async () => {
    harness = await startBudgetWorker('budget-yield', {
      // One call per 30 s, and patience for all of it: alone, the second alert would wait in its slot.
      MDE_RATE_LIMITS: '1/30s',
      WORKER_BUDGET_WAIT_MS: '60000',
    });
  });
  afterAll(async () => harness.close());

  it('defers the waiting alert to its wake-up slot and serves the cached one at once', async () => {
    const { runtime, emulators, stateOf } = harness;
    const options = { defaultTenant: 'default', attempts: 3 };
    const [first] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('spends-the-budget', ['203.0.113.30']) }], options);
    await waitFor('the first alert', async () => (await stateOf(first?.jobId ?? '')) === 'completed', 20_000);

    const [waiting] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('waits-for-budget', ['198.51.100.30']) }], options);
    await waitFor('the second alert to take the only slot', async () => (await stateOf(waiting?.jobId ?? '')) === 'active', 20_000);
    const [cached] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('cached', ['203.0.113.30']) }], options);

    // Had the waiting alert kept the slot, the cached one would have waited the 30 s with it.
    await waitFor('the cached alert', async () => (await stateOf(cached?.jobId ?? '')) === 'completed', 20_000);
    expect(await stateOf(waiting?.jobId ?? '')).toBe('delayed');
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });
});
