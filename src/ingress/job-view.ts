import type { Job } from 'bullmq';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { AlertJobData } from '../queue/job.js';
import { redactUrlsIn } from '../redact-url.js';
import { alertResultSchema } from '../result/schema.js';
import type { ReasonForCaller } from './failure-reason.js';
import { JOB_STATES, type JobStateName, type JobView } from './response-schemas.js';

export type AlertJob = Job<AlertJobData>;

/** States in which the job will still change; the status endpoint answers 202 while in one. */
export const PENDING_STATES: ReadonlySet<JobStateName> = new Set(['waiting', 'prioritized', 'active', 'delayed', 'waiting-children']);

/** Seconds a poller should wait before asking again: a delayed job waits for budget or a retry. */
export function pollAfterSeconds(state: JobStateName): number {
  return state === 'delayed' ? 5 : 1;
}

function stateName(state: string): JobStateName {
  return (JOB_STATES as readonly string[]).includes(state) ? (state as JobStateName) : 'unknown';
}

/**
 * What the API shows of a job in a known state: the state, and the result or the failure once there
 * is one, the failure as `reasonFor` lets the caller read it.
 */
export function viewJob(job: AlertJob, state: JobStateName, statusUrl: string, reasonFor: ReasonForCaller): JobView {
  const view: JobView = {
    jobId: job.id ?? '',
    state,
    alertId: job.data.alertId,
    tenant: job.data.tenant,
    format: job.data.format,
    receivedAt: job.data.receivedAt,
    attemptsMade: job.attemptsMade,
    finishedAt: job.finishedOn === undefined || PENDING_STATES.has(state) ? null : new Date(job.finishedOn).toISOString(),
    statusUrl,
  };
  if (state === 'completed') {
    const result = alertResultSchema.safeParse(job.returnvalue);
    if (result.success) return { ...view, result: result.data };
  }
  // The reason may quote the callback URL, whose query carries the caller's credential.
  if (state === 'failed') return { ...view, failedReason: reasonFor(redactUrlsIn(job.failedReason)) };
  return view;
}

/**
 * A job and its state, read in that order: the state first, then the job. A job only moves forward,
 * and BullMQ writes a finished job's result in the same step that finishes it, so a job read after
 * its state is never older than that state (read the other way round, a job finishing in between
 * would show as completed without its result).
 */
export async function readJob(queue: AlertsQueue, jobId: string): Promise<{ job: AlertJob; state: JobStateName } | undefined> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return undefined;
  const job = (await queue.getJob(jobId)) as AlertJob | undefined;
  return job ? { job, state: stateName(state) } : undefined;
}
