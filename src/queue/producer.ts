import { randomUUID } from 'node:crypto';
import { describeAlert } from '../extract/index.js';
import type { AlertJobData } from './job.js';
import { ALERT_JOB_NAME, KEEP_COMPLETED, KEEP_FAILED, type AlertsQueue } from './alerts-queue.js';
import { contentId, jobIdFor } from './job-id.js';
import { priorityFor } from './priority.js';

export interface EnqueueRequest {
  readonly alert: unknown;
  readonly tenant?: string;
  readonly callbackUrl?: string;
}

export interface EnqueuedJob {
  readonly jobId: string;
  readonly alertId: string;
  readonly tenant: string;
  /** True when this alert was already queued or done: nothing new was added. */
  readonly duplicate: boolean;
}

export interface ProducerOptions {
  readonly defaultTenant: string;
  readonly attempts: number;
  /** First retry delay; later ones grow exponentially, with jitter. */
  readonly backoffMs?: number;
  readonly now?: () => number;
}

/**
 * Puts alerts on the queue, all or none (one MULTI), and resolves only once Redis has them, so a
 * caller that gets job ids back (the CLI, the ingress' 202) can rely on every alert being persisted.
 */
export async function enqueueAlerts(queue: AlertsQueue, requests: readonly EnqueueRequest[], options: ProducerOptions): Promise<EnqueuedJob[]> {
  const now = options.now ?? Date.now;
  const prepared = requests.map((request) => {
    const meta = describeAlert(request.alert);
    const tenant = request.tenant ?? options.defaultTenant;
    const alertId = meta.id ?? contentId(request.alert);
    const jobId = jobIdFor(tenant, meta.revision ? `${alertId}@${meta.revision}` : alertId);
    const data: AlertJobData = {
      alert: request.alert,
      tenant,
      format: meta.format,
      alertId,
      receivedAt: new Date(now()).toISOString(),
      enqueueId: randomUUID(),
      ...(request.callbackUrl === undefined ? {} : { callbackUrl: request.callbackUrl }),
    };
    const opts = {
      jobId,
      priority: priorityFor(meta.severity),
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000, jitter: 0.5 },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    };
    return { name: ALERT_JOB_NAME, data, opts };
  });
  if (prepared.length === 0) return [];
  await queue.addBulk(prepared);
  // For a known id BullMQ keeps the existing job (and returns ours unchanged): read back what
  // Redis holds to tell whether this call added it. A job already removed counts as new.
  const stored = await Promise.all(prepared.map(({ opts }) => queue.getJob(opts.jobId)));
  return prepared.map(({ data, opts }, index) => ({
    jobId: opts.jobId,
    alertId: data.alertId,
    tenant: data.tenant,
    duplicate: stored[index] !== undefined && stored[index]?.data.enqueueId !== data.enqueueId,
  }));
}
