import { ALERT_JOB_NAME, KEEP_COMPLETED, KEEP_FAILED, type AlertsQueue } from './alerts-queue.js';
import type { AlertJobData } from './job.js';
import { PendingJobs } from './pending-jobs.js';
import { fairPriority, priorityFor } from './priority.js';

/** A job ready to queue: its data and its id (the alert's identity). */
export interface PreparedJob {
  readonly jobId: string;
  readonly data: AlertJobData;
}

export interface EnqueuedJob {
  readonly jobId: string;
  readonly alertId: string;
  readonly tenant: string;
  /** True when this alert was already queued or done: nothing new was added. */
  readonly duplicate: boolean;
}

export interface ProducerOptions {
  readonly attempts: number;
  /** First retry delay; later ones grow exponentially, with jitter. */
  readonly backoffMs?: number;
  /**
   * `fair-share` (default): tenants take turns, severity orders each tenant's alerts (priority.ts).
   * `severity`: severity alone, the order before fair share, which the fairness benchmark measures
   * as its baseline.
   */
  readonly order?: 'fair-share' | 'severity';
}

/**
 * Puts jobs on the queue, all or none (one MULTI), and resolves only once Redis has them, so a
 * caller that gets job ids back (the CLI, the ingress' 202) can rely on every alert being persisted.
 */
export async function enqueueJobs(queue: AlertsQueue, jobs: readonly PreparedJob[], options: ProducerOptions): Promise<EnqueuedJob[]> {
  if (jobs.length === 0) return [];
  const priorities = await prioritiesFor(queue, jobs, options);
  await queue.addBulk(
    jobs.map(({ jobId, data }, index) => ({
      name: ALERT_JOB_NAME,
      data,
      opts: {
        jobId,
        priority: priorities[index],
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000, jitter: 0.5 },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    })),
  );
  // For a known id BullMQ keeps the existing job (and returns ours unchanged): read back what
  // Redis holds to tell whether this call added it. A job already removed counts as new.
  const stored = await Promise.all(jobs.map(({ jobId }) => queue.getJob(jobId)));
  return jobs.map(({ jobId, data }, index) => ({
    jobId,
    alertId: data.alertId,
    tenant: data.tenant,
    duplicate: stored[index] !== undefined && stored[index]?.data.enqueueId !== data.enqueueId,
  }));
}

/**
 * Each job's priority. Fair share ranks the jobs in order, each among its tenant's pending jobs
 * (sent together, run one after another), before `addBulk`: a job BullMQ then refuses as a duplicate
 * is one the script saw already, and one lost with a failed `addBulk` heals (pending-rank-5.lua).
 */
async function prioritiesFor(queue: AlertsQueue, jobs: readonly PreparedJob[], options: ProducerOptions): Promise<number[]> {
  if (options.order === 'severity') return jobs.map(({ data }) => priorityFor(data.meta?.severity ?? null));
  const pending = new PendingJobs(queue.redis, queue.keySpace);
  return await Promise.all(
    jobs.map(async ({ jobId, data }) => {
      const severity = data.meta?.severity ?? null;
      return fairPriority(await pending.join({ jobId, tenant: data.tenant, severity }), severity);
    }),
  );
}
