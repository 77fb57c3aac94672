import type { Job } from 'bullmq';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { AlertJobData } from '../queue/job.js';
import { redactUrlsIn } from '../http/redact-url.js';
import type { AlertResult } from '../result/schema.js';
import { SINK_RETRY_PRIORITY } from '../queue/priority.js';
import type { PendingDelivery } from '../state/job-record.js';
import type { ReasonForCaller } from './failure-reason.js';
import { JOB_STATES, type JobStateName, type JobView } from './response-schemas.js';

type AlertJob = Job<AlertJobData>;

/** What the API reads of a job's record (src/state/job-record.ts). */
export interface JobRecords {
  /**
   * The job's result: the one place a result is stored. The worker saves it there before the job
   * completes, so a job seen completed has it.
   */
  result(jobId: string): Promise<AlertResult | null>;
  /** The destinations that have not accepted it yet and failed at least once. */
  pendingDeliveries(jobId: string): Promise<PendingDelivery[]>;
}

/** A job, its state, its result once it completed, and while it is delayed, the deliveries it waits for. */
export interface FoundJob {
  readonly job: AlertJob;
  readonly state: JobStateName;
  readonly result: AlertResult | null;
  readonly pendingDeliveries?: readonly PendingDelivery[];
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
export function viewJob({ job, state, result, pendingDeliveries = [] }: FoundJob, statusUrl: string, reasonFor: ReasonForCaller): JobView {
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
  if (state === 'delayed') return { ...view, waitingFor: waitingFor(job, pendingDeliveries, reasonFor) };
  return view;
}

/**
 * Why a delayed job waits: its result is built and some destination failed (it retries them only),
 * an error retried with backoff, or the API budget. Errors are shown as a failed job's reason is.
 */
function waitingFor(job: AlertJob, pending: readonly PendingDelivery[], reasonFor: ReasonForCaller): NonNullable<JobView['waitingFor']> {
  const shown = (reason: string | null): string | null => (reason === null ? null : reasonFor(redactUrlsIn(reason)));
  if (job.priority === SINK_RETRY_PRIORITY || pending.length > 0) {
    return { reason: 'delivery', deliveries: pending.map((delivery) => ({ ...delivery, lastError: shown(delivery.lastError) })) };
  }
  if (job.failedReason) return { reason: 'retry', lastError: shown(job.failedReason) };
  return { reason: 'budget' };
}

/**
 * A job and its state, read in that order: the state first, then the job and its result. A job only
 * moves forward, and its result is kept before it completes, so what is read after the state is
 * never older than that state (read the other way round, a job finishing in between would show as
 * completed without its result).
 */
export async function readJob(queue: AlertsQueue, records: JobRecords, jobId: string): Promise<FoundJob | undefined> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return undefined;
  return await readJobIn(queue, records, jobId, stateName(state));
}

/**
 * A job whose state is known (read before, or told by an event), with its result if it completed or
 * the deliveries it waits for if it is delayed; the reads in one round trip.
 */
export async function readJobIn(queue: AlertsQueue, records: JobRecords, jobId: string, state: JobStateName): Promise<FoundJob | undefined> {
  const [job, result, pendingDeliveries] = await Promise.all([
    queue.getJob(jobId) as Promise<AlertJob | undefined>,
    state === 'completed' ? records.result(jobId) : null,
    state === 'delayed' ? records.pendingDeliveries(jobId) : undefined,
  ]);
  // A completed job outlives its record only when no job completed for days (BullMQ removes old
  // completed jobs as others complete): without its result it is as good as gone, never a bare 200.
  if (!job || (state === 'completed' && result === null)) return undefined;
  return { job, state, result, ...(pendingDeliveries ? { pendingDeliveries } : {}) };
}
