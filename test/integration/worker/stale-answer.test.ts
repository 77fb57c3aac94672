import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { alertResultSchema } from '../../../src/result/schema.js';
import { readStoredResult } from '../../../src/state/job-record.js';
import { waitFor } from '../../support/cli-process.js';
import { exhaustBudget, writeAgedEntry } from '../../support/stale-entry.js';
import { ecsAlert, startBudgetWorker, type BudgetWorker } from './support/budget-worker.js';

describe('budget exhausted: an alert whose IP has a stale entry completes at once from it', () => {
  let harness: BudgetWorker;

  beforeAll(async () => {
    // One call an hour, spent before the alert: without the stale entry it would wait an hour.
    harness = await startBudgetWorker('stale-worker', { MDE_RATE_LIMITS: '1/3600s', WORKER_BUDGET_WAIT_MS: '100' });
  });
  afterAll(async () => harness.close());

  it('marks the IP stale with when it was fetched, spends no call and is not delayed', async () => {
    const { runtime, emulators } = harness;
    const record = await writeAgedEntry(
      runtime.redis,
      runtime.keys,
      'default',
      { ip: '203.0.113.50', prevalence: 2, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-11-01T00:00:00Z', seen: true, lookBackHours: 720 },
      2 * 86_400_000,
    );
    await exhaustBudget(runtime.redis, runtime.keys, 'default', [{ max: 1, windowMs: 3_600_000 }]);

    const [alert] = await acceptAlerts(runtime.queue, [{ alert: ecsAlert('stale-ip', ['203.0.113.50']) }], { defaultTenant: 'default', attempts: 3 });
    const jobId = alert?.jobId ?? '';
    await waitFor('the alert to finish', async () => (await runtime.queue.getJob(jobId))?.finishedOn !== undefined, 20_000);
    const job = await runtime.queue.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
    // Completed on its first run: never moved to delayed to wait for budget.
    expect(job?.attemptsStarted).toBe(1);
    const result = alertResultSchema.parse(await readStoredResult(runtime.redis, runtime.keys, jobId));
    expect(result.partial).toBe(false);
    expect(result.ips).toEqual([expect.objectContaining({ ip: '203.0.113.50', status: 'enriched', cached: true, stale: true, fetchedAt: record.fetchedAt, prevalence: 2 })]);
    expect(result.summary.text).toContain(`203.0.113.50 (stale, fetched ${record.fetchedAt.slice(0, 16)}Z)`);
    expect(emulators.defender.counters.totalCalls).toBe(0);
  });
});
