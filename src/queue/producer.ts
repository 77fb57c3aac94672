import { ALERT_JOB_NAME, KEEP_COMPLETED, KEEP_FAILED, type AlertsQueue } from './alerts-queue.js';
import type { AlertJobData } from './job.js';

/** A job ready to queue: its data, its id (the alert's identity) and its priority (1 goes first). */
export interface PreparedJob {
  readonly jobId: string;
  readonly data: AlertJobData;
  readonly priority: number;
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
}

/**
 * Puts jobs on the queue, all or none (one MULTI), and resolves only once Redis has them, so a
 * caller that gets job ids back (the CLI, the ingress' 202) can rely on every alert being persisted.
 */
export async function enqueueJobs(queue: AlertsQueue, jobs: readonly PreparedJob[], options: ProducerOptions): Promise<EnqueuedJob[]> {
  if (jobs.length === 0) return [];
  await queue.addBulk(
    jobs.map(({ jobId, data, priority }) => ({
      name: ALERT_JOB_NAME,
      data,
      opts: {
        jobId,
        priority,
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
