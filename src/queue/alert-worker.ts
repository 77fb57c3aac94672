import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { DeferUntil } from './deferring-worker.js';
import { IpenrichError, toIpenrichError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import { isConnectionError } from '../redis/connection-watch.js';
import type { KeySpace } from '../redis/keys.js';
import { settleBy } from '../settle-by.js';
import { ALERTS_QUEUE } from './alerts-queue.js';
import type { JobAttempt, JobOutcome } from './job-outcome.js';
import { alertJobSchema, type AlertJobData } from './job.js';
import { BudgetStarvedThrottle } from './budget-starved-throttle.js';
import { PendingJobs, type PendingJob } from './pending-jobs.js';
import { PendingLeaves } from './pending-leaves.js';
import { SINK_RETRY_PRIORITY } from './priority.js';
import { TrackingWorker } from './tracking-worker.js';
import { CompleteWith } from './completing-worker.js';

/** What the worker runs for each job: the journey (src/pipeline/process-alert.ts), wired by src/composition. */
type JobHandler<Result> = (data: AlertJobData, attempt: JobAttempt) => Promise<JobOutcome<Result>>;

interface AlertWorkerOptions {
  readonly concurrency: number;
  /** Jobs taken at once while a starved backlog is gone through and other tenants are served (budget-starved-throttle.ts); default: `concurrency`. */
  readonly budgetWaitConcurrency?: number;
  readonly lockMs: number;
  /** How long finished jobs may wait to leave their tenants' pending sets in one batch (pending-leaves.ts). */
  readonly leaveBatchMs?: number;
}

export interface AlertWorkerDeps<Result> {
  /** BullMQ's connection (it duplicates it once more for blocking reads). */
  readonly connection: Redis;
  /** The product's own commands (a tenant's pending jobs): the runtime's auto-pipelined connection. */
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly handle: JobHandler<Result>;
  readonly logger: Logger;
  readonly options: AlertWorkerOptions;
}

/**
 * The queue's side of a job, and nothing else: BullMQ job in, the handler's outcome out. A job whose
 * data does not match the schema fails at once (JOB_INVALID); what the handler throws is retried
 * with BullMQ's backoff (a Redis outage while reading or saving the result).
 */
export interface AlertWorker {
  /**
   * Jobs complete without a return value: the journey keeps the result in the job's record, read
   * from there (src/state/job-record.ts); its last writes may go with the completion (CompleteWith).
   */
  readonly worker: TrackingWorker<AlertJobData>;
  /** Ids of the jobs taken and not yet finished in Redis. */
  heldJobs(): string[];
  /**
   * Stops taking jobs and waits until `deadline` (epoch ms) for the held ones to finish; true when
   * none is held any more. A job still held keeps its lock until the lock expires, then another
   * worker takes it over (stalled-job recovery), as after a crash.
   */
  drain(deadline: number): Promise<boolean>;
  /** Closes BullMQ's side by `deadline`: gracefully after a drain, without waiting for jobs otherwise. */
  close(deadline: number): Promise<void>;
}

/** BullMQ's answer when a job's lock expired meanwhile: the job is not lost, another worker retakes it. */
function isLockLost(error: Error): boolean {
  return /missing lock|lock mismatch|could not renew lock/i.test(error.message);
}

/** The job as its tenant's pending jobs hold it; undefined for data no producer of ours wrote. */
function pendingJob(job: Job<AlertJobData>): PendingJob | undefined {
  const data: Partial<AlertJobData> | undefined = job.data;
  if (job.id === undefined || typeof data?.tenant !== 'string') return undefined;
  return { jobId: job.id, tenant: data.tenant, severity: data.meta?.severity ?? null };
}

/** The one place where outcomes become BullMQ's. */
async function apply<Result>(
  outcome: JobOutcome<Result>,
  job: Job<AlertJobData>,
  logger: Logger,
  leavePending: (job: Job<AlertJobData>) => Promise<void>,
): Promise<CompleteWith | undefined> {
  if (outcome.kind === 'done') return outcome.withCompletion ? new CompleteWith(outcome.withCompletion) : undefined;
  const log = { jobId: job.id, alertId: job.data.alertId, reason: outcome.reason };
  switch (outcome.kind) {
    case 'delay':
      // Debug: while the budget is exhausted every queued alert is deferred again and again; the
      // counts are in `status` and /metrics (limiter waits), not worth a line each.
      logger.debug({ ...log, until: new Date(outcome.until).toISOString() }, 'job deferred');
      if (outcome.lowPriority) {
        await job.changePriority({ priority: SINK_RETRY_PRIORITY });
        // Served after every new alert from now on: it no longer takes a turn of its tenant's.
        await leavePending(job);
      }
      // The worker moves it and takes the next job in one call (deferring-worker.ts).
      throw new DeferUntil(outcome.until, outcome.reason);
    case 'fail':
      logger.warn(log, 'job failed permanently');
      throw new UnrecoverableError(outcome.reason);
    case 'retry':
      logger.warn({ ...log, attempt: job.attemptsMade + 1 }, 'job will be retried');
      throw new Error(outcome.reason);
  }
}

export function createAlertWorker<Result>(deps: AlertWorkerDeps<Result>): AlertWorker {
  const { logger, options } = deps;
  const pending = new PendingJobs(deps.redis, deps.keys);
  async function leavePending(job: Job<AlertJobData>): Promise<void> {
    const member = pendingJob(job);
    if (member) await pending.leave(member);
  }
  // Once a job has left for good, in batches; a member this misses (the process died first) heals at a later enqueue.
  const leaves = new PendingLeaves(
    pending,
    (error, jobs) => logger.debug({ err: error, jobs }, 'could not remove finished jobs from their tenants\' pending jobs'),
    options.leaveBatchMs,
  );
  const leaveQuietly = (job: Job<AlertJobData>): void => {
    const member = pendingJob(job);
    if (member) leaves.add(member);
  };

  const throttle = new BudgetStarvedThrottle(options.concurrency, options.budgetWaitConcurrency ?? options.concurrency);
  /** Follows the throttle: BullMQ reads its concurrency before each fetch, so fewer jobs are taken from the next one on. */
  function takeAtOnce(job: AlertJobData, outcome: JobOutcome<Result>): void {
    const end = outcome.kind === 'done' ? 'answered' : outcome.kind === 'delay' && outcome.forBudget === true ? 'waits-for-budget' : 'other';
    const concurrency = throttle.record(job.tenant, end);
    if (worker.concurrency === concurrency) return;
    logger.debug({ concurrency }, concurrency < options.concurrency ? 'taking fewer jobs at once: a backlog waits for budget while other tenants are served' : 'taking every slot again');
    worker.concurrency = concurrency;
  }

  async function processJob(job: Job<AlertJobData>): Promise<CompleteWith | undefined> {
    const parsed = alertJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`).join('; ');
      const invalid = new IpenrichError('JOB_INVALID', reason);
      return await apply<Result>({ kind: 'fail', reason: `${invalid.code}: ${invalid.message}` }, job, logger, leavePending);
    }
    const attempts = job.opts.attempts ?? 1;
    const outcome = await deps.handle(parsed.data, {
      jobId: job.id ?? parsed.data.alertId,
      queuedAt: job.timestamp,
      finalAttempt: job.attemptsMade + 1 >= attempts,
      resultMayBeStored: job.attemptsMade > 0 || job.priority === SINK_RETRY_PRIORITY,
    });
    takeAtOnce(parsed.data, outcome);
    return await apply(outcome, job, logger, leavePending);
  }

  const worker = new TrackingWorker<AlertJobData>(ALERTS_QUEUE, processJob, {
    connection: deps.connection,
    prefix: deps.keys.queuePrefix,
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    maxStalledCount: 3,
    autorun: true,
  });
  worker.on('error', (error) => {
    // BullMQ repeats a connection failure on every reconnect attempt; the runtime's connection
    // watch reports the outage once per change of state.
    if (isConnectionError(error)) logger.debug({ err: error }, 'worker connection error');
    else if (isLockLost(error)) logger.warn({ err: error }, 'job lock lost (Redis outage or stall): another worker takes the job over');
    else logger.error({ err: toIpenrichError(error) }, 'worker error');
  });
  worker.on('completed', leaveQuietly);
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof DelayedError)) logger.debug({ jobId: job.id, reason: error.message }, 'job attempt failed');
    // finishedOn is set only when BullMQ failed it for good; a retry stays pending.
    if (job?.finishedOn) leaveQuietly(job);
  });

  return {
    worker,
    heldJobs: () => worker.heldJobs(),
    async drain(deadline) {
      // Pause without waiting for active jobs: close() would wait for them without limit, and a
      // later close(true) would only return that same promise. Both waits end at the deadline.
      await settleBy(worker.pause(true), deadline);
      return await settleBy(worker.whenNoneHeld(), deadline);
    },
    async close(deadline) {
      // Graceful only when it can be: it waits for BullMQ's commands, which a Redis that is down never answers.
      const force = worker.heldJobs().length > 0 || deps.connection.status !== 'ready';
      await settleBy(worker.close(force), deadline);
      // The last finished jobs leave their pending sets now, not after the batch interval; a Redis
      // that is down would only hold the stop until the deadline (self-healing removes them later).
      if (deps.redis.status === 'ready') await settleBy(leaves.flush(), deadline);
    },
  };
}
