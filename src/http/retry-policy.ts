import { setTimeout as timerSleep } from 'node:timers/promises';

/**
 * The one retry/backoff policy of outbound calls: exponential backoff with jitter, a server's
 * Retry-After taking precedence, and an in-process limit beyond which the wait is not slept on but
 * handed to the worker (which defers the job instead of holding a slot). Randomness and sleeping
 * are injectable so tests get exact delays without real time.
 */
export interface BackoffPolicy {
  /** Ceiling of the first delay; it doubles with every attempt. */
  readonly baseMs: number;
  /** Cap on the exponential ceiling (never on a server's Retry-After); none when absent. */
  readonly maxDelayMs?: number;
  /** A number in [0, 1); Math.random by default. */
  readonly random?: () => number;
}

/**
 * The delay after failed attempt `attempt` (1-based): half of the exponential ceiling fixed, half
 * random, so many workers that failed together do not retry in step.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs ?? Number.POSITIVE_INFINITY, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const random = policy.random ?? Math.random;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The delay after failed attempt `attempt`: the server's Retry-After when it sent one, else the backoff. */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy): number {
  return retryAfterMs ?? backoffDelayMs(attempt, policy);
}

export interface InProcessRetryPolicy extends BackoffPolicy {
  /** Attempts inside one call, the first one included. */
  readonly attempts: number;
  /** A longer wait is not slept on here: the last error goes to the worker with its Retry-After. */
  readonly maxInProcessWaitMs: number;
}

/** How long to wait before the attempt after `attempt`, or undefined when that retry is the worker's. */
export function inProcessRetryDelay(attempt: number, retryAfterMs: number | undefined, policy: InProcessRetryPolicy): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  const waitMs = retryDelayMs(attempt, retryAfterMs, policy);
  return waitMs > policy.maxInProcessWaitMs ? undefined : waitMs;
}

/** Waits `ms`, or rejects when `signal` fires first. */
export type Sleep = (ms: number, signal: AbortSignal | undefined) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) => timerSleep(ms, undefined, signal === undefined ? undefined : { signal });

export interface RetryInProcessOptions {
  readonly policy: InProcessRetryPolicy;
  readonly signal: AbortSignal | undefined;
  /** Undefined when the failure is final; otherwise the server's Retry-After, when it gave one. */
  readonly temporary: (error: unknown) => { readonly retryAfterMs: number | undefined } | undefined;
  /** What to throw when `signal` fires during a wait. */
  readonly abortedWhileWaiting: (abort: unknown) => Error;
  readonly sleep?: Sleep;
}

/** Runs `attempt` until it succeeds, fails for good, or the next retry belongs to the worker. */
export async function retryInProcess<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryInProcessOptions): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const temporary = options.temporary(error);
      const waitMs = temporary === undefined ? undefined : inProcessRetryDelay(attemptNumber, temporary.retryAfterMs, options.policy);
      if (waitMs === undefined) throw error;
      try {
        await sleep(waitMs, options.signal);
      } catch (abort) {
        throw options.abortedWhileWaiting(abort);
      }
    }
  }
}
