import type { Job, Span } from 'bullmq';
import type { Redis } from '../redis/connection.js';
import { inOneSocketWrite } from '../redis/one-socket-write.js';
import { DeferringWorker } from './deferring-worker.js';
import type { WritesWithCompletion } from './job-outcome.js';

/** What a processor returns to have `writes` sent to Redis with its job's completion. */
export class CompleteWith {
  constructor(readonly writes: WritesWithCompletion) {}
}

/**
 * A BullMQ worker whose processor may hand it writes to send with the job's completion: on the
 * worker's own connection, just before BullMQ's moveToFinished and in the same socket write. Redis
 * runs a connection's commands in order, so whoever sees the job completed sees those writes; the
 * job costs one round trip fewer than writing first and completing after. The writes must be safe
 * to repeat (BullMQ retries a completion that failed); the job is completed whatever they answer,
 * and a write that fails is reported as the worker's 'error', naming the job. On a Redis Cluster the writes go
 * first and are waited for, as their keys and the job's may live on different nodes.
 */
export class CompletingWorker<DataType> extends DeferringWorker<DataType, CompleteWith | undefined> {
  protected override async handleCompleted(
    result: CompleteWith | undefined,
    job: Job<DataType, CompleteWith | undefined>,
    token: string,
    fetchNextCallback?: () => boolean,
    span?: Span,
  ): Promise<Job<DataType, CompleteWith | undefined>> {
    if (!(result instanceof CompleteWith)) return await super.handleCompleted(result, job, token, fetchNextCallback, span);
    const connection = this.opts.connection as Redis;
    if (connection.isCluster) {
      await result.writes(connection);
      return await super.handleCompleted(undefined, job, token, fetchNextCallback, span);
    }
    // A failed write must not fail the completion (which BullMQ would then retry): it is reported, with the job.
    const writing = (): Promise<unknown> =>
      result.writes(connection).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.emit('error', new Error(`job ${job.id ?? '(no id)'} completed, but the writes sent with its completion failed: ${reason}`, { cause: error }));
      });
    const [, next] = await inOneSocketWrite(connection, () => Promise.all([writing(), super.handleCompleted(undefined, job, token, fetchNextCallback, span)]));
    return next;
  }
}
