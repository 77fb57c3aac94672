import { Queue, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeferringWorker, DeferUntil } from '../../../src/queue/deferring-worker.js';
import { duplicateWithoutAutoPipelining, type Redis } from '../../../src/redis/connection.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

/** Says in order what the worker did: each processing of a job, and each separate fetch of the next one. */
class RecordingWorker extends DeferringWorker<{ defer: boolean }, void> {
  readonly steps: string[] = [];
  protected override async moveToActive(token: string, name?: string): Promise<Job<{ defer: boolean }, void>> {
    this.steps.push('fetch');
    return await super.moveToActive(token, name);
  }
}

describe('DeferringWorker', () => {
  const prefix = uniquePrefix('deferring');
  let redis: Redis;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  /**
   * Runs a worker (concurrency 1) over `jobs`, queued before it starts: a job whose data says
   * `defer` is deferred by `deferMs` on its first processing. Returns the steps and the jobs as
   * they ended, once every one has completed.
   */
  async function run(queueName: string, jobs: { name: string; defer: boolean }[], deferMs: number) {
    const queue = new Queue<{ defer: boolean }>(queueName, { connection: redis, prefix });
    const connection = duplicateWithoutAutoPipelining(redis);
    const deferredUntil = new Map<string, number>();
    try {
      const added = await queue.addBulk(jobs.map((job) => ({ name: job.name, data: { defer: job.defer } })));
      let worker: RecordingWorker | undefined = undefined;
      worker = new RecordingWorker(
        queueName,
        (job) => {
          worker?.steps.push(`process ${job.name}`);
          if (job.data.defer && !deferredUntil.has(job.name)) {
            const until = Date.now() + deferMs;
            deferredUntil.set(job.name, until);
            throw new DeferUntil(until, 'waits for budget');
          }
          return Promise.resolve();
        },
        { connection, prefix, concurrency: 1, autorun: false },
      );
      void worker.run();
      await waitFor('every job completed', async () => (await Promise.all(added.map((job) => queue.getJobState(job.id ?? '')))).every((state) => state === 'completed'));
      const ended = await Promise.all(added.map(async (job) => await queue.getJob(job.id ?? '')));
      await worker.close();
      return { steps: worker.steps, ended, deferredUntil };
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    }
  }

  it('moves a deferred job to delayed and takes the next waiting job in the same call', async () => {
    const { steps, ended, deferredUntil } = await run('next-waits', [
      { name: 'starved', defer: true },
      { name: 'cached', defer: false },
    ], 300);
    // The worker's first fetch, then no fetch of its own between the deferral and the next job.
    expect(steps.slice(0, 3)).toEqual(['fetch', 'process starved', 'process cached']);
    expect(steps.filter((step) => step === 'process starved')).toHaveLength(2);
    const [starved] = ended;
    // Back only once its time had come, and the deferral counted no attempt.
    expect(starved?.processedOn).toBeGreaterThanOrEqual(deferredUntil.get('starved') ?? Infinity);
    expect(starved?.attemptsMade).toBe(1);
  });

  it('comes back for a deferred job at its time when nothing else waits', async () => {
    const { steps, ended, deferredUntil } = await run('nothing-waits', [{ name: 'alone', defer: true }], 300);
    expect(steps.filter((step) => step.startsWith('process'))).toEqual(['process alone', 'process alone']);
    expect(ended[0]?.processedOn).toBeGreaterThanOrEqual(deferredUntil.get('alone') ?? Infinity);
    expect(ended[0]?.attemptsMade).toBe(1);
  });
});
