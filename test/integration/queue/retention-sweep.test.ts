import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import type { AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { startRetentionSweep, sweepExpiredJobs } from '../../../src/queue/retention-sweep.js';
import type { JobOutcome } from '../../../src/queue/job-outcome.js';
import type { Redis } from '../../../src/redis/connection.js';
import type { KeySpace } from '../../../src/redis/keys.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestQueue, uniquePrefix } from '../../support/redis.js';
import { withAlertWorker } from './support/with-alert-worker.js';

const HOUR_MS = 3_600_000;

/** An ECS alert with its own id. */
function ecs(id: string): unknown {
  return { '@timestamp': '2026-12-05T10:00:00Z', event: { id, kind: 'alert' }, related: { ip: ['203.0.113.9'] } };
}

describe('retention of finished jobs (real Redis, real BullMQ)', () => {
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let keys: KeySpace;
  let queue: AlertsQueue;

  beforeAll(async () => {
    const prefix = uniquePrefix('retention');
    ({ redis, keys, queue, cleanup } = await connectTestQueue(prefix));
  });
  afterAll(async () => {
    await cleanup();
  });

  /** Queues one alert per id and lets a worker finish them: an id ending in "-fails" fails for good, the others complete. */
  async function finishJobs(alertIds: readonly string[]): Promise<string[]> {
    const accepted = await acceptAlerts(queue, alertIds.map((id) => ({ alert: ecs(id) })), { defaultTenant: 'default', attempts: 1 });
    const jobIds = accepted.map((job) => job.jobId);
    const handle = (data: { alertId: string }): Promise<JobOutcome<null>> =>
      Promise.resolve(data.alertId.endsWith('-fails') ? { kind: 'fail', reason: 'JOB_INVALID: for the test' } : { kind: 'done', result: null });
    const finished = async (): Promise<boolean> => (await Promise.all(jobIds.map((id) => queue.getJobState(id)))).every((state) => state === 'completed' || state === 'failed');
    await withAlertWorker(redis, keys, handle, { concurrency: 2, lockMs: 30_000 }, () => waitFor('the jobs to finish', finished, 20_000));
    return jobIds;
  }
  const states = async (jobIds: readonly string[]): Promise<string[]> => await Promise.all(jobIds.map((id) => queue.getJobState(id)));

  it('keeps finished jobs within their retention, then removes completed and failed ones each past its own', async () => {
    const jobs = await finishJobs(['keep-done', 'keep-fails']);
    expect(await states(jobs)).toEqual(['completed', 'failed']);
    // BullMQ applies a job's age limit only when another job finishes; the sweep does not wait for one.
    expect(await sweepExpiredJobs(queue, { completedMs: HOUR_MS, failedMs: HOUR_MS })).toEqual({ completed: 0, failed: 0 });
    expect(await states(jobs)).toEqual(['completed', 'failed']);

    // A retention of 0 puts a job past it from the next millisecond on.
    await expect.poll(async () => (await sweepExpiredJobs(queue, { completedMs: 0, failedMs: HOUR_MS })).completed).toBe(1);
    expect(await states(jobs)).toEqual(['unknown', 'failed']);

    await expect.poll(async () => (await sweepExpiredJobs(queue, { completedMs: 0, failedMs: 0 })).failed).toBe(1);
    expect(await states(jobs)).toEqual(['unknown', 'unknown']);
  });

  it('sweeps on its own once started, until stopped', async () => {
    const jobs = await finishJobs(['swept-done', 'swept-fails']);
    const sweep = startRetentionSweep(queue, createLogger({ level: 'silent' }), { everyMs: 20, retention: { completedMs: HOUR_MS, failedMs: 0 } });
    try {
      await expect.poll(async () => await states(jobs), { timeout: 10_000 }).toEqual(['completed', 'unknown']);
    } finally {
      sweep.stop();
    }
  });
});
