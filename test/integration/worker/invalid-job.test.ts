import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_JOB_NAME } from '../../../src/queue/alerts-queue.js';
import { openRuntime, type Runtime } from '../../../src/composition/runtime.js';
import { startWorker, type StartedWorker } from '../../../src/composition/start-worker.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('a job that does not match the job schema', () => {
  let runtime: Runtime;
  let worker: StartedWorker;

  beforeAll(async () => {
    runtime = await openRuntime({ REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: uniquePrefix('invalid'), LOG_LEVEL: 'silent' }, { waitForRedis: true });
    worker = await startWorker(runtime);
  });
  afterAll(async () => {
    await worker.close(5_000);
    await runtime.queue.obliterate({ force: true });
    await runtime.close();
  });

  it('fails at once into the dead-letter queue with the reason, never silently dropped or retried', async () => {
    // Written by something other than ipenrich's producer (an old version, a hand-made job).
    const job = await runtime.queue.add(ALERT_JOB_NAME, { alert: { id: 'x' }, tenant: '' } as never, { attempts: 5 });
    await expect.poll(async () => runtime.queue.getJobState(job.id ?? ''), { timeout: 10_000 }).toBe('failed');
    const failed = await runtime.queue.getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/^JOB_INVALID: tenant: .*; format: .*; alertId: .*/);
  });
});
