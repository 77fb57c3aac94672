import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createAlertWorker } from '../../../src/queue/alert-worker.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { sweepExpiredJobs } from '../../../src/queue/retention-sweep.js';
import { duplicateWithoutAutoPipelining, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

const HOUR_MS = 3_600_000;

/** An ECS alert with its own id. */
function ecs(id: string): unknown {
  return { '@timestamp': '2026-12-05T10:00:00Z', event: { id, kind: 'alert' }, related: { ip: ['203.0.113.9'] } };
}

describe('retention of finished jobs (real Redis, real BullMQ)', () => {
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let queue: AlertsQueue;
  let ids: { done: string; failed: string };

  beforeAll(async () => {
    const prefix = uniquePrefix('retention');
    ({ redis, cleanup } = await connectTestRedis(prefix));
    const keys = keySpace(prefix);
    queue = createAlertsQueue(redis, keys);
    const [done, failed] = await acceptAlerts(queue, [{ alert: ecs('keep-done') }, { alert: ecs('keep-failed') }], { defaultTenant: 'default', attempts: 1 });
    ids = { done: done?.jobId ?? '', failed: failed?.jobId ?? '' };
    // One job completes and one fails for good, as the worker finishes them.
    const connection = duplicateWithoutAutoPipelining(redis);
    const worker = createAlertWorker<null>({
      connection,
      redis,
      keys,
      handle: (data) => Promise.resolve(data.alertId.includes('failed') ? { kind: 'fail', reason: 'JOB_INVALID: for the test' } : { kind: 'done', result: null }),
      logger: createLogger({ level: 'silent' }),
      options: { concurrency: 2, lockMs: 30_000 },
    });
    try {
      await waitFor('one job completed, one failed', async () => (await queue.getJobState(ids.done)) === 'completed' && (await queue.getJobState(ids.failed)) === 'failed', 20_000);
    } finally {
      await worker.close(Date.now() + 10_000);
      await connection.quit();
    }
  });
  afterAll(async () => {
    await queue.close();
    await cleanup();
  });

  it('keeps finished jobs within their retention, then removes completed and failed ones each past its own', async () => {
    // BullMQ applies a job's age limit only when another job finishes; the sweep does not wait for one.
    expect(await sweepExpiredJobs(queue, { completedMs: HOUR_MS, failedMs: HOUR_MS })).toEqual({ completed: 0, failed: 0 });
    expect([await queue.getJobState(ids.done), await queue.getJobState(ids.failed)]).toEqual(['completed', 'failed']);

    // A retention of 0 puts a job past it from the next millisecond on.
    await expect.poll(async () => (await sweepExpiredJobs(queue, { completedMs: 0, failedMs: HOUR_MS })).completed).toBe(1);
    expect([await queue.getJobState(ids.done), await queue.getJobState(ids.failed)]).toEqual(['unknown', 'failed']);

    await expect.poll(async () => (await sweepExpiredJobs(queue, { completedMs: 0, failedMs: 0 })).failed).toBe(1);
    expect(await queue.getJobState(ids.failed)).toBe('unknown');
  });
});
