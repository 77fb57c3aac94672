import type { Job } from 'bullmq';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { AlertJobData } from '../queue/job.js';
import { redactUrlsIn } from '../redact-url.js';
import type { AlertResult } from '../result/schema.js';
import type { ReasonForCaller } from './failure-reason.js';
import { JOB_STATES, type JobStateName, type JobView } from './response-schemas.js';

type AlertJob = Job<AlertJobData>;

/**
 * A job's result as its record keeps it (src/state/job-record.ts): the one place a result is stored.
 * The worker saves it there before the job completes, so a job seen completed has it.
 */
export type StoredResultReader = (jobId: string) => Promise<AlertResult | null>;

/** A job, its state, and its result once it completed. */
export interface FoundJob {
  readonly job: AlertJob;
  readonly state: JobStateName;
  readonly result: AlertResult | null;
}

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
export function viewJob({ job, state, result }: FoundJob, statusUrl: string, reasonFor: ReasonForCaller): JobView {
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
  if (state === 'completed' && result) return { ...view, result };
  // The reason may quote the callback URL, whose query carries the caller's credential.
  if (state === 'failed') return { ...view, failedReason: reasonFor(redactUrlsIn(job.failedReason)) };
  return view;
}

/**
 * A job and its state, read in that order: the state first, then the job and its result. A job only
 * moves forward, and its result is kept before it completes, so what is read after the state is
 * never older than that state (read the other way round, a job finishing in between would show as
 * completed without its result).
 */
export async function readJob(queue: AlertsQueue, results: StoredResultReader, jobId: string): Promise<FoundJob | undefined> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return undefined;
  return await readJobIn(queue, results, jobId, stateName(state));
}

/** A job whose state is known (read before, or told by an event), with its result if it completed; both reads in one round trip. */
export async function readJobIn(queue: AlertsQueue, results: StoredResultReader, jobId: string, state: JobStateName): Promise<FoundJob | undefined> {
  const [job, result] = await Promise.all([queue.getJob(jobId) as Promise<AlertJob | undefined>, state === 'completed' ? results(jobId) : null]);
  // A completed job outlives its record only when no job completed for days (BullMQ removes old
  // completed jobs as others complete): without its result it is as good as gone, never a bare 200.
  if (!job || (state === 'completed' && result === null)) return undefined;
  return { job, state, result };
}
