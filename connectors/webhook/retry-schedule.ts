import { setTimeout as sleep } from 'node:timers/promises';
import { IpenrichError, isIpenrichError } from '../../src/errors.js';

export interface RetrySchedule {
  readonly attempts: number;
  readonly backoffBaseMs: number;
  readonly maxInProcessWaitMs: number;
}

/** Exponential backoff with jitter (half fixed, half random) so many workers do not retry in step. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the next wait would be longer than the
 * schedule allows in-process — then the last error goes to the worker, which defers the job by its
 * `retryAfterMs` instead of holding a slot. A server's Retry-After replaces the backoff.
 */
export async function withRetries(
  schedule: RetrySchedule,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<void>,
): Promise<void> {
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      await attempt(attemptNumber);
      return;
    } catch (error) {
      if (!isIpenrichError(error) || !error.retryable || error.details?.aborted === true) throw error;
      if (attemptNumber >= schedule.attempts) throw error;
      const waitMs = error.retryAfterMs ?? backoffMs(attemptNumber, schedule.backoffBaseMs);
      if (waitMs > schedule.maxInProcessWaitMs) throw error;
      try {
        await sleep(waitMs, undefined, { signal });
      } catch (abort) {
        throw new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted while waiting to retry', {
          cause: abort,
          details: { aborted: true },
        });
      }
    }
  }
}
