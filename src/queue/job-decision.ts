import type { IpenrichError } from '../errors.js';
import type { FailedDelivery } from '../sinks/fan-out.js';

/**
 * What happens to a job after a failure. The worker turns these into BullMQ outcomes:
 * retry → throw (BullMQ's exponential backoff with jitter, counts an attempt);
 * delay → moveToDelayed + DelayedError (frees the slot, counts no attempt);
 * fail → UnrecoverableError (straight to the dead-letter queue with the reason).
 */
export type JobDecision =
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'delay'; readonly until: number; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

export interface SinkRetryPolicy {
  readonly baseMs: number;
  readonly maxDelayMs: number;
  /** Give up on a sink that has been failing this long for one alert. */
  readonly maxRetryMs: number;
  readonly random?: () => number;
}

/** An error from extraction or enrichment. */
export function decideForError(error: IpenrichError, now: number): JobDecision {
  const reason = `${error.code}: ${error.message}`;
  if (error.code === 'MDE_THROTTLED' || error.code === 'BUDGET_DEFERRED') {
    return { kind: 'delay', until: now + Math.max(error.retryAfterMs ?? 1_000, 1), reason };
  }
  return error.retryable ? { kind: 'retry', reason } : { kind: 'fail', reason };
}

/** Exponential backoff with jitter (half fixed, half random), honouring the sink's Retry-After. */
export function sinkRetryDelay(failures: number, retryAfterMs: number | undefined, policy: SinkRetryPolicy): number {
  const random = policy.random ?? Math.random;
  const exponential = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}

/** Failed deliveries of one job (the others succeeded and are remembered). Null when none failed. */
export function decideForDeliveries(failed: readonly FailedDelivery[], now: number, policy: SinkRetryPolicy): JobDecision | null {
  if (failed.length === 0) return null;
  const reason = failed.map((f) => `${f.name}: ${f.error.code}: ${f.error.message}`).join('; ');
  const permanent = failed.filter((f) => !f.error.retryable);
  if (permanent.length > 0) return { kind: 'fail', reason };
  const expired = failed.filter((f) => f.state.firstFailureAt !== null && now - f.state.firstFailureAt >= policy.maxRetryMs);
  if (expired.length > 0) return { kind: 'fail', reason: `gave up after ${Math.round(policy.maxRetryMs / 1000)} s: ${reason}` };
  const delay = Math.max(...failed.map((f) => sinkRetryDelay(f.state.failures, f.error.retryAfterMs, policy)));
  return { kind: 'delay', until: now + delay, reason };
}
