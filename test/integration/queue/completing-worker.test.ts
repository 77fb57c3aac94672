import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompleteWith, CompletingWorker } from '../../../src/queue/completing-worker.js';
import { duplicateWithoutAutoPipelining, type Redis } from '../../../src/redis/connection.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

describe('CompletingWorker', () => {
  const prefix = uniquePrefix('completing');
  let redis: Redis;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  /** Runs one job whose processor returns `outcome`; says what another connection saw when the job completed, and the worker's errors. */
  async function run(queueName: string, outcome: (jobId: string) => CompleteWith | undefined) {
    const queue = new Queue(queueName, { connection: redis, prefix });
    const connection = duplicateWithoutAutoPipelining(redis);
    const errors: string[] = [];
    let seenAtCompletion: string | null | undefined;
    const worker = new CompletingWorker(queueName, (job) => Promise.resolve(outcome(job.id ?? '')), { connection, prefix, concurrency: 1 });
    worker.on('error', (error) => errors.push(error.message));
    worker.on('completed', () => {
      void redis.get(`${prefix}:written`).then((value) => (seenAtCompletion = value));
    });
    try {
      const job = await queue.add('job', {});
      await waitFor('the job completed and was looked at', async () => (await queue.getJobState(job.id ?? '')) === 'completed' && seenAtCompletion !== undefined);
      const stored = await queue.getJob(job.id ?? '');
      return { seenAtCompletion, errors, returnvalue: stored?.returnvalue as unknown };
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    }
  }

  it('sends the writes the processor returns just before the completion, and whoever sees the job completed sees them', async () => {
    // The write notes whether Redis had completed the job when it ran.
    const noteState = (jobId: string) =>
      new CompleteWith(
        async (connection) =>
          await connection.eval(
            "return redis.call('SET', KEYS[2], redis.call('ZSCORE', KEYS[1], ARGV[1]) and 'after the completion' or 'before the completion')",
            2,
            `${prefix}:with-writes:completed`,
            `${prefix}:written`,
            jobId,
          ),
      );
    const ran = await run('with-writes', noteState);
    expect(ran.seenAtCompletion).toBe('before the completion');
    // The writes are not the job's return value.
    expect(ran.returnvalue).toBeNull();
    expect(ran.errors).toEqual([]);
  });

  it('completes the job when a write fails, and reports the failure as the worker\'s error', async () => {
    await redis.del(`${prefix}:written`);
    const ran = await run('failing-write', () => new CompleteWith(async (connection) => await connection.call('NO-SUCH-COMMAND')));
    expect(ran.seenAtCompletion).toBeNull();
    expect(ran.errors).toHaveLength(1);
    expect(ran.errors[0]).toMatch(/unknown command/i);
    expect(ran.errors[0]).toMatch(/^job \S+ completed, but the writes sent with its completion failed/);
  });
});
