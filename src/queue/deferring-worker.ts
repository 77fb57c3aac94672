import { DelayedError, Worker, type Job, type JobJson, type Span } from 'bullmq';

/**
 * Thrown by a processor to send its job back to *delayed* until `until` (epoch ms) without counting
 * an attempt. Being a DelayedError, a plain BullMQ worker would still know that the job is handled.
 */
export class DeferUntil extends DelayedError {
  constructor(
    readonly until: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A BullMQ worker that defers a job and takes its next one in a single Redis call. BullMQ's own
 * way (`job.moveToDelayed` in the processor, then a DelayedError) is two: moveToDelayed, then
 * moveToActive for the next job. While a tenant's budget is exhausted every job of its backlog is
 * deferred, so that second round trip was a third of the worker's Redis writes during a flood's
 * first pass (about 3.1 writes per deferred job, measured with the fairness benchmark's backlog).
 *
 * BullMQ's `moveToDelayed` script fetches the next job when asked (`fetchNext`), as moveToFinished
 * does for a completed job; BullMQ uses it itself for a failed job retried after a backoff
 * (`Job.moveToFailed`). `skipAttempt` is what `Job.moveToDelayed` passes: a deferral is no attempt.
 */
/**
 * BullMQ's handleFailed is typed to return the next job, yet returns nothing when it took none (its
 * own code does so): the override has to say the same.
 */
const noJob = <T>(): T => undefined as T;

export class DeferringWorker<DataType, ResultType> extends Worker<DataType, ResultType> {
  protected override async handleFailed(
    error: Error,
    job: Job<DataType, ResultType>,
    token: string,
    fetchNextCallback: () => boolean = () => true,
    span?: Span,
  ): Promise<Job<DataType, ResultType>> {
    if (!(error instanceof DeferUntil) || job.id === undefined) return await super.handleFailed(error, job, token, fetchNextCallback, span);
    // As BullMQ's handleFailed: nothing more is written once the worker's connection is closing.
    if (this.backend.closing) return noJob();
    const fetchNext = fetchNextCallback() && !(this.closing || this.paused);
    const now = Date.now();
    const moved = await this.backend.moveToDelayed(job.id, now, Math.max(0, error.until - now), token, { skipAttempt: true, fetchNext });
    // [job data, job id, rate-limit delay, next delayed time]; the rate-limit delay is always 0 here,
    // since this product never sets BullMQ's own rate limiter (the API budget is its limiter).
    const [jobData, jobId] = Array.isArray(moved) ? (moved as [unknown, unknown]) : [];
    if (fetchNext && typeof jobId === 'string' && jobData) return await this.nextJobFromJobData(jobData as JobJson, jobId, token);
    // No job came with it (none waits, or none was asked for): BullMQ's usual fetch, which also
    // learns when the next delayed job is due, so an idle worker blocks exactly until then.
    return fetchNext ? await this.moveToActive(token, this.opts.name) : noJob();
  }
}
