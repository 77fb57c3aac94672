import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { alertResultSchema } from '../../../src/result/schema.js';
import { openRuntime, type Runtime } from '../../../src/composition/runtime.js';
import { startWorker, type StartedWorker } from '../../../src/composition/start-worker.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { exhaustBudget, writeAgedEntry } from '../../support/stale-entry.js';

function ecsAlert(id: string, ips: string[]): unknown {
  return { '@timestamp': '2026-11-26T10:00:00Z', event: { id, kind: 'alert', severity: 73 }, related: { ip: ips } };
}

describe('budget exhausted: an alert whose IP has a stale entry completes at once from it', () => {
  let emulators: Emulators;
  let runtime: Runtime;
  let worker: StartedWorker;

  beforeAll(async () => {
    emulators = await startEmulators();
    runtime = await openRuntime(
      {
        ...emulators.env,
        REDIS_URL: testRedisUrl(),
        IPENRICH_PREFIX: uniquePrefix('stale-worker'),
        // One call an hour, spent before the alert: without the stale entry it would wait an hour.
        MDE_RATE_LIMITS: '1/3600s',
        MDE_RATE_SAFETY_MS: '0',
        WORKER_CONCURRENCY: '1',
        WORKER_BUDGET_WAIT_MS: '100',
        LOG_LEVEL: 'silent',
      },
      { waitForRedis: true },
    );
    worker = await startWorker(runtime);
  });

  afterAll(async () => {
    await worker.close(5_000);
    await runtime.queue.obliterate({ force: true });
    await runtime.close();
    await emulators.close();
  });

  it('marks the IP stale with when it was fetched, spends no call and is not delayed', async () => {
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
    const result = alertResultSchema.parse(job?.returnvalue);
    expect(result.partial).toBe(false);
    expect(result.ips).toEqual([expect.objectContaining({ ip: '203.0.113.50', status: 'enriched', cached: true, stale: true, fetchedAt: record.fetchedAt, prevalence: 2 })]);
    expect(result.summary.text).toContain(`203.0.113.50 (stale, fetched ${record.fetchedAt.slice(0, 16)}Z)`);
    expect(emulators.defender.counters.totalCalls).toBe(0);
  });
});
