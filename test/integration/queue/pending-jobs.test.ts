import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import type { AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { PendingJobs, type PendingJob } from '../../../src/queue/pending-jobs.js';
import { PendingLeaves } from '../../../src/queue/pending-leaves.js';
import { SEVERITIES } from '../../../src/queue/priority.js';
import type { Redis } from '../../../src/redis/connection.js';
import type { KeySpace } from '../../../src/redis/keys.js';
import { connectTestQueue, uniquePrefix } from '../../support/redis.js';
import { withAlertWorker } from './support/with-alert-worker.js';

/** An ECS alert with its own id and a severity by name. */
function alert(id: string, severity: 'high' | 'low'): unknown {
  return { '@timestamp': '2026-11-26T10:00:00Z', event: { id, kind: 'alert', severity }, related: { ip: ['203.0.113.7'] } };
}
const HIGH = 'high';
const LOW = 'low';

describe('fair share: each tenant’s pending jobs (pending-rank-5.lua, real Redis)', () => {
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let keys: KeySpace;
  let queue: AlertsQueue;
  const prefix = uniquePrefix('pending');

  beforeAll(async () => {
    ({ redis, keys, queue, cleanup } = await connectTestQueue(prefix));
  });
  afterAll(async () => {
    await cleanup();
  });

  const pendingCount = async (tenant: string): Promise<number> => {
    const counts = await Promise.all(SEVERITIES.map((severity) => redis.zcard(keys.pendingJobs(tenant, severity))));
    return counts.reduce((sum, count) => sum + count, 0);
  };

  it('ranks a job among its tenant’s pending jobs at least as urgent, and each tenant on its own', async () => {
    const pending = new PendingJobs(redis, keys);
    const ranks = [];
    for (const n of [1, 2, 3]) ranks.push(await pending.join({ jobId: `rank-m${n}`, tenant: 'rank-a', severity: 'medium' }));
    expect(ranks).toEqual([1, 2, 3]);
    // A high one counts only the tenant's pending high ones; a low one counts every more urgent one too.
    expect(await pending.join({ jobId: 'rank-h1', tenant: 'rank-a', severity: 'high' })).toBe(1);
    expect(await pending.join({ jobId: 'rank-l1', tenant: 'rank-a', severity: 'low' })).toBe(5);
    // Alerts without a severity rank with medium ones.
    expect(await pending.join({ jobId: 'rank-n1', tenant: 'rank-a', severity: null })).toBe(5);
    // Another tenant starts at round 1 whatever rank-a's backlog.
    expect(await pending.join({ jobId: 'rank-b1', tenant: 'rank-b', severity: 'low' })).toBe(1);
  });

  it('counts a job once however often it joins, and frees its place when it leaves', async () => {
    const pending = new PendingJobs(redis, keys);
    const job = { jobId: 'dup-1', tenant: 'dup', severity: 'medium' };
    expect(await pending.join(job)).toBe(1);
    expect(await pending.join(job)).toBe(1);
    expect(await pending.join({ jobId: 'dup-2', tenant: 'dup', severity: 'medium' })).toBe(2);
    await pending.leave(job);
    expect(await pending.join({ jobId: 'dup-3', tenant: 'dup', severity: 'medium' })).toBe(2);
    expect(await pendingCount('dup')).toBe(2);
  });

  it('lets finished jobs leave in batches, sent by a flush or after the interval', async () => {
    const pending = new PendingJobs(redis, keys);
    const jobs = ['high', 'low', 'low', null].flatMap((severity, n) => [`batch-a-${n}`, `batch-b-${n}`].map((jobId) => ({ jobId, tenant: jobId.slice(0, 7), severity })));
    for (const job of jobs) await pending.join(job);
    const sent: string[][] = [];
    class RecordingPendingJobs extends PendingJobs {
      override async leave(...left: PendingJob[]): Promise<void> {
        sent.push(left.map((job) => job.jobId));
        await super.leave(...left);
      }
    }
    const errors: unknown[] = [];
    // An interval no test reaches: only the flush sends.
    const held = new PendingLeaves(new RecordingPendingJobs(redis, keys), (error) => errors.push(error), 3_600_000);

    for (const job of jobs.slice(0, 6)) held.add(job);
    expect(await pendingCount('batch-a') + (await pendingCount('batch-b'))).toBe(8);
    await held.flush();
    expect(sent).toEqual([jobs.slice(0, 6).map((job) => job.jobId)]);
    expect(await pendingCount('batch-a') + (await pendingCount('batch-b'))).toBe(2);

    // Without a flush, the interval sends the rest, in one batch.
    const timed = new PendingLeaves(new RecordingPendingJobs(redis, keys), (error) => errors.push(error), 10);
    for (const job of jobs.slice(6)) timed.add(job);
    await expect.poll(async () => (await pendingCount('batch-a')) + (await pendingCount('batch-b'))).toBe(0);
    expect(sent).toEqual([jobs.slice(0, 6).map((job) => job.jobId), jobs.slice(6).map((job) => job.jobId)]);
    expect(errors).toEqual([]);
  });

  it('serves tenants in turn through BullMQ: a later tenant’s alert competes with the first of a backlog, a high one goes first', async () => {
    const options = { defaultTenant: 'default', attempts: 1 };
    await acceptAlerts(queue, Array.from({ length: 5 }, (_, n) => ({ alert: alert(`rr-a-low-${n}`, LOW), tenant: 'rr-a' })), options);
    await acceptAlerts(queue, [{ alert: alert('rr-b-low-0', LOW), tenant: 'rr-b' }], options);
    await acceptAlerts(queue, [{ alert: alert('rr-a-high-0', HIGH), tenant: 'rr-a' }], options);

    // BullMQ's own order of the prioritized jobs (priority, then the order they were added).
    const served = (await queue.getJobs(['prioritized'], 0, -1, true)).map((job) => job.data.alertId).filter((id) => id.startsWith('rr-'));
    expect(served).toEqual(['rr-a-high-0', 'rr-a-low-0', 'rr-b-low-0', 'rr-a-low-1', 'rr-a-low-2', 'rr-a-low-3', 'rr-a-low-4']);
  });

  it('does not count an alert enqueued again, whether still queued or already done', async () => {
    const options = { defaultTenant: 'default', attempts: 1 };
    const [first] = await acceptAlerts(queue, [{ alert: alert('again-0', LOW), tenant: 'again' }], options);
    const [second] = await acceptAlerts(queue, [{ alert: alert('again-0', LOW), tenant: 'again' }], options);
    expect(second?.duplicate).toBe(true);
    expect(await pendingCount('again')).toBe(1);

    // The job has left the pending ones (as the worker does on completion); BullMQ still holds it.
    await new PendingJobs(redis, keys).leave({ jobId: first?.jobId ?? '', tenant: 'again', severity: 'low' });
    const [third] = await acceptAlerts(queue, [{ alert: alert('again-0', LOW), tenant: 'again' }], options);
    expect(third?.duplicate).toBe(true);
    expect(await pendingCount('again')).toBe(0);
  });

  it('ranks by severity alone when asked for the order before fair share', async () => {
    const options = { defaultTenant: 'default', attempts: 1, order: 'severity' as const };
    const [low] = await acceptAlerts(queue, [{ alert: alert('sev-low', LOW), tenant: 'sev' }], options);
    const [high] = await acceptAlerts(queue, [{ alert: alert('sev-high', HIGH), tenant: 'sev' }], options);
    expect((await queue.getJob(low?.jobId ?? ''))?.priority).toBe(3);
    expect((await queue.getJob(high?.jobId ?? ''))?.priority).toBe(1);
    expect(await pendingCount('sev')).toBe(0);
  });

  it('heals: a member whose job is gone or finished stops counting once past the grace; a live or young one stays', async () => {
    let now = 1_800_000_000_000;
    const pending = new PendingJobs(redis, keys, () => now);
    const tenant = 'heal';
    const options = { defaultTenant: 'default', attempts: 1 };

    // A live job, queued through BullMQ (its member joins at Redis time, before the injected clock).
    const [live] = await acceptAlerts(queue, [{ alert: alert('heal-live', LOW), tenant }], options);
    // Joined but never added (the enqueue failed after ranking), and one whose job finished for good
    // while its worker died before it could leave.
    expect(await pending.join({ jobId: 'heal-lost', tenant, severity: 'low' })).toBe(2);
    expect(await pending.join({ jobId: 'heal-finished', tenant, severity: 'low' })).toBe(3);
    await redis.hset(keys.queueJob('alerts', 'heal-finished'), 'finishedOn', String(now));

    // Within the grace (the job may still be on its way to BullMQ): nothing is removed.
    now += 59_000;
    expect(await pending.join({ jobId: 'heal-young', tenant, severity: 'low' })).toBe(4);
    // Past it: each call checks the two oldest members; the lost one goes, then the finished one.
    now += 2_000;
    expect(await pending.join({ jobId: 'heal-next', tenant, severity: 'low' })).toBe(4);
    expect(await pending.join({ jobId: 'heal-last', tenant, severity: 'low' })).toBe(4);
    const members = await redis.zrange(keys.pendingJobs(tenant, 'low'), 0, '-1');
    expect(members.sort()).toEqual([live?.jobId, 'heal-last', 'heal-next', 'heal-young'].sort());
  });

  it('holds the leaves of jobs the worker finished for a batch, and sends them when the worker closes', async () => {
    // Last in this file: the worker takes every job the tests above left in the queue.
    const accepted = await acceptAlerts(queue, ['a', 'b', 'c'].map((id) => ({ alert: alert(`close-${id}`, LOW), tenant: 'close' })), { defaultTenant: 'default', attempts: 1 });
    expect(await pendingCount('close')).toBe(3);
    const done = (): Promise<{ kind: 'done'; result: null }> => Promise.resolve({ kind: 'done', result: null });
    // A batch interval no test reaches: only the close can send the leaves.
    await withAlertWorker(redis, keys, done, { concurrency: 2, lockMs: 30_000, leaveBatchMs: 3_600_000 }, async () => {
      const states = async (): Promise<string[]> => await Promise.all(accepted.map((job) => queue.getJobState(job.jobId)));
      await expect.poll(states, { timeout: 20_000 }).toEqual(['completed', 'completed', 'completed']);
      expect(await pendingCount('close')).toBe(3);
    });
    expect(await pendingCount('close')).toBe(0);
  });
});
