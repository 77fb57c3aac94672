import type { Redis } from '../redis/connection.js';

/** Writes to send on the queue's connection with a job's completion; idempotent, as a completion may be retried. */
export type WritesWithCompletion = (connection: Redis) => Promise<unknown>;

/**
 * What became of one attempt at a job, in the queue's terms. The worker (alert-worker.ts) turns it
 * into BullMQ's: done → completed with the result; retry → throw (BullMQ's exponential backoff with
 * jitter, counts an attempt); delay → DeferUntil (deferring-worker.ts: moved to delayed and the
 * next job taken in one call; frees the slot, counts no attempt); fail → UnrecoverableError
 * (straight to the dead-letter queue with the reason).
 */
export type JobOutcome<Result> =
  | {
      readonly kind: 'done';
      readonly result: Result;
      /** Writes the job's completion carries: sent with it, in order, in one socket write (completing-worker.ts). */
      readonly withCompletion?: WritesWithCompletion;
    }
  | { readonly kind: 'retry'; readonly reason: string }
  | {
      readonly kind: 'delay';
      readonly until: number;
      readonly reason: string;
      /** Served after every new job from now on (it only waits to catch up a down destination). */
      readonly lowPriority?: boolean;
      /** It waits for API budget: all this attempt learnt is that the budget is spent (budget-starved-throttle.ts). */
      readonly forBudget?: boolean;
    }
  | { readonly kind: 'fail'; readonly reason: string };

/** The job's place in its life, which the journey's decisions depend on. */
export interface JobAttempt {
  readonly jobId: string;
  /** Epoch ms when the job was queued. */
  readonly queuedAt: number;
  /** True on the last attempt BullMQ will make. */
  readonly finalAttempt: boolean;
  /**
   * True when an earlier attempt may have stored the result: a retry, or a job that waits for a
   * down destination. False on a first attempt (and after deferrals for budget, which store none).
   */
  readonly resultMayBeStored: boolean;
}
