import { IpenrichError } from '../errors.js';
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
  /** Most alerts a tenant may have pending (TENANT_MAX_PENDING_ALERTS; 0: no limit). Absent: no limit. */
  readonly maxPendingFor?: (tenant: string) => number;
}

/**
 * What a sender refused for a full backlog is told to wait (Retry-After): long enough for some of
 * the backlog to drain, short enough for a playbook's retry policy (Logic Apps waits at most a day).
 */
const BACKLOG_RETRY_AFTER_MS = 60_000;

/**
 * Puts jobs on the queue, all or none (one MULTI), and resolves only once Redis has them, so a
 * caller that gets job ids back (the CLI, the ingress' 202) can rely on every alert being persisted.
 */
export async function enqueueJobs(queue: AlertsQueue, jobs: readonly PreparedJob[], options: ProducerOptions): Promise<EnqueuedJob[]> {
  if (jobs.length === 0) return [];
  if (options.maxPendingFor) await refuseOverBacklog(queue, jobs, options.maxPendingFor);
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
 * Refuses the whole batch when it would take a tenant past its limit of pending alerts: checked
 * before anything is queued, so nothing is half done. The count is read, not reserved: requests
 * checked at the same moment may take a tenant past its limit by their own alerts, which bounds the
 * overshoot by the ingress' concurrency times INGRESS_MAX_BATCH. Alerts sent again count as new here.
 */
async function refuseOverBacklog(queue: AlertsQueue, jobs: readonly PreparedJob[], maxPendingFor: (tenant: string) => number): Promise<void> {
  const adding = new Map<string, number>();
  for (const { data } of jobs) adding.set(data.tenant, (adding.get(data.tenant) ?? 0) + 1);
  const pending = new PendingJobs(queue.redis, queue.keySpace);
  await Promise.all(
    [...adding].map(async ([tenant, count]) => {
      const limit = maxPendingFor(tenant);
      if (limit <= 0) return;
      const already = await pending.count(tenant);
      if (already + count <= limit) return;
      throw new IpenrichError(
        'BACKLOG_FULL',
        `tenant "${tenant}" has ${already} alerts pending and this request adds ${count}: more than TENANT_MAX_PENDING_ALERTS (${limit}); nothing was queued`,
        { retryAfterMs: BACKLOG_RETRY_AFTER_MS, details: { tenant, pending: already, limit } },
      );
    }),
  );
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
