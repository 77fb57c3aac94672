import type { IpenrichError } from '../errors.js';
import { backoffDelayMs } from '../http/retry-policy.js';
import type { JobOutcome } from '../queue/job-outcome.js';
import type { SinkState } from './ports.js';

/** A decision about a job that did not finish: every outcome but `done`. */
export type JobDecision = Exclude<JobOutcome<never>, { kind: 'done' }>;

export interface SinkRetryPolicy {
  readonly baseMs: number;
  readonly maxDelayMs: number;
  /** Give up on a sink that has been failing this long for one alert. */
  readonly maxRetryMs: number;
  readonly random?: () => number;
}

/** One destination that did not accept the result on this attempt. */
export interface FailedDelivery {
  readonly name: string;
  readonly error: IpenrichError;
  readonly state: SinkState;
}

/** An error from extraction or enrichment: what the error registry says the job does with its code. */
export function decideForError(error: IpenrichError, now: number): JobDecision {
  const reason = `${error.code}: ${error.message}`;
  switch (error.onJob) {
    case 'wait':
      return { kind: 'delay', until: now + Math.max(error.retryAfterMs ?? 1_000, 1), reason };
    case 'retry':
      return { kind: 'retry', reason };
    case 'fail':
      return { kind: 'fail', reason };
  }
}

/** The shared backoff (src/http/retry-policy.ts), never sooner than the sink's Retry-After. */
export function sinkRetryDelay(failures: number, retryAfterMs: number | undefined, policy: SinkRetryPolicy): number {
  const backoff = backoffDelayMs(Math.max(1, failures), { baseMs: policy.baseMs, maxDelayMs: policy.maxDelayMs, ...(policy.random ? { random: policy.random } : {}) });
  return Math.max(backoff, retryAfterMs ?? 0);
}

/**
 * Failed deliveries of one job (the others succeeded and are remembered). Null when none failed. A
 * job that only waits for a down sink is served after every new alert (`lowPriority`): keeping its
 * severity's priority would let a backlog of high-severity retries keep other alerts from any sink.
 */
export function decideForDeliveries(failed: readonly FailedDelivery[], now: number, policy: SinkRetryPolicy): JobDecision | null {
  if (failed.length === 0) return null;
  const reason = failed.map((f) => `${f.name}: ${f.error.code}: ${f.error.message}`).join('; ');
  const permanent = failed.filter((f) => !f.error.retryable);
  if (permanent.length > 0) return { kind: 'fail', reason };
  const expired = failed.filter((f) => f.state.firstFailureAt !== null && now - f.state.firstFailureAt >= policy.maxRetryMs);
  if (expired.length > 0) return { kind: 'fail', reason: `gave up after ${Math.round(policy.maxRetryMs / 1000)} s: ${reason}` };
  const delay = Math.max(...failed.map((f) => sinkRetryDelay(f.state.failures, f.error.retryAfterMs, policy)));
  return { kind: 'delay', until: now + delay, reason, lowPriority: true };
}
