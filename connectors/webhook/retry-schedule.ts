import { IpenrichError, isIpenrichError } from '../../src/errors.js';
import { retryInProcess, type InProcessRetryPolicy } from '../../src/http/retry-policy.js';

export interface RetrySchedule {
  readonly attempts: number;
  readonly backoffBaseMs: number;
  readonly maxInProcessWaitMs: number;
}

/**
 * Runs `attempt` under the shared retry policy until it succeeds, fails for good, or the next wait
 * is longer than the schedule allows in-process — then the last error goes to the worker, which
 * defers the job by its `retryAfterMs` instead of holding a slot. The caller's abort is never retried.
 */
export async function withRetries(
  schedule: RetrySchedule,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<void>,
): Promise<void> {
  const policy: InProcessRetryPolicy = { baseMs: schedule.backoffBaseMs, attempts: schedule.attempts, maxInProcessWaitMs: schedule.maxInProcessWaitMs };
  await retryInProcess(attempt, {
    policy,
    signal,
    temporary: (error) =>
      isIpenrichError(error) && error.retryable && error.details?.aborted !== true ? { retryAfterMs: error.retryAfterMs } : undefined,
    abortedWhileWaiting: (abort) =>
      new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted while waiting to retry', { cause: abort, details: { aborted: true } }),
  });
}
