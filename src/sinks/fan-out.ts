import { createHash } from 'node:crypto';
import { toIpenrichError, type IpenrichError } from '../errors.js';
import type { AlertResult } from '../result/schema.js';
import type { DeliveryState, SinkState } from './delivery-state.js';
import type { Sink } from './port.js';
import type { SinkHealthBoard } from './sink-health.js';

/** One destination of one job: a configured sink, or the per-alert callback through the webhook sink. */
export interface DeliveryTarget {
  /** Unique per job: `webhook`, `splunk`, `sentinel`, `callback`. */
  readonly name: string;
  readonly sink: Sink;
  readonly callbackUrl?: string;
}

export interface FailedDelivery {
  readonly name: string;
  readonly error: IpenrichError;
  readonly state: SinkState;
}

export interface FanOutReport {
  readonly delivered: string[];
  readonly skipped: string[];
  readonly failed: FailedDelivery[];
}

/**
 * Stable per (job, target): Standard Webhooks `webhook-id`, Sentinel comment id, Splunk event id.
 * No '.' (Standard Webhooks signs `id.timestamp.body`).
 */
export function deliveryIdFor(jobId: string, target: string): string {
  return `msg_${createHash('sha256').update(`${jobId}\u0000${target}`).digest('hex').slice(0, 32)}`;
}

/**
 * Delivers one result to every target that has not accepted it yet, in parallel. A failure at one
 * target never re-sends to the others: each success is recorded as soon as it happens.
 */
export async function deliverToTargets(
  result: AlertResult,
  targets: readonly DeliveryTarget[],
  state: DeliveryState,
  context: { jobId: string; now: () => number; health?: SinkHealthBoard; signal?: AbortSignal },
): Promise<FanOutReport> {
  const report: FanOutReport = { delivered: [], skipped: [], failed: [] };
  await Promise.all(
    targets.map(async (target) => {
      const before = await state.sink(target.name);
      if (before.delivered) {
        report.skipped.push(target.name);
        return;
      }
      try {
        await target.sink.deliver(result, {
          deliveryId: deliveryIdFor(context.jobId, target.name),
          progress: state.progress(target.name),
          ...(target.callbackUrl === undefined ? {} : { callbackUrl: target.callbackUrl }),
          ...(context.signal === undefined ? {} : { signal: context.signal }),
        });
        // Independent writes: sent together, one round trip.
        await Promise.all([state.markDelivered(target.name, context.now()), context.health?.record(target.name, { ok: true }, context.now())]);
        report.delivered.push(target.name);
      } catch (thrown) {
        const error = toIpenrichError(thrown);
        const [after] = await Promise.all([
          state.markFailed(target.name, context.now()),
          context.health?.record(target.name, { ok: false, error: `${error.code}: ${error.message}` }, context.now()),
        ]);
        report.failed.push({ name: target.name, error, state: after });
      }
    }),
  );
  return report;
}
