import { createHash } from 'node:crypto';
import { isIpenrichError, toIpenrichError } from '../errors.js';
import type { AlertResult } from '../result/schema.js';
import type { FailedDelivery } from './decide.js';
import type { DeliveredMark, DeliveryLedger, Destination, SinkHealthRecorder } from './ports.js';

export interface DeliveryReport {
  readonly delivered: string[];
  /**
   * When every destination accepted: their marks, not written yet, for the job's completion to carry
   * (the caller writes them). Empty otherwise: when one failed, the marks are written before this returns.
   */
  readonly held: DeliveredMark[];
  /** Notes of destinations that accepted with reservations, by destination. */
  readonly notes: Record<string, readonly string[]>;
  readonly skipped: string[];
  readonly failed: FailedDelivery[];
}

/**
 * Stable per (job, destination): Standard Webhooks `webhook-id`, Sentinel comment id, Splunk event id.
 * No '.' (Standard Webhooks signs `id.timestamp.body`).
 */
function deliveryIdFor(jobId: string, destination: string): string {
  return `msg_${createHash('sha256').update(`${jobId}\u0000${destination}`).digest('hex').slice(0, 32)}`;
}

/**
 * ⑤ Delivers one result to every destination that has not accepted it yet, in parallel. A failure at
 * one destination never re-sends to the others: once all have answered, the successes are recorded at
 * once when one failed, or, when none failed, left to the job's completion (`report.held`), which
 * saves the job a round trip.
 * `context.tenant` is the job's: the destinations are its sinks, and their health is recorded under it.
 */
export async function deliverToDestinations(
  result: AlertResult,
  destinations: readonly Destination[],
  ledger: DeliveryLedger,
  context: { jobId: string; tenant: string; now: () => number; health?: SinkHealthRecorder; signal?: AbortSignal },
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: [], held: [], notes: {}, skipped: [], failed: [] };
  await Promise.all(
    destinations.map(async (destination) => {
      const before = await ledger.sink(destination.name);
      if (before.delivered) {
        report.skipped.push(destination.name);
        return;
      }
      try {
        const receipt = await destination.sink.deliver(result, {
          deliveryId: deliveryIdFor(context.jobId, destination.name),
          progress: ledger.progress(destination.name),
          ...(destination.callbackUrl === undefined ? {} : { callbackUrl: destination.callbackUrl }),
          ...(context.signal === undefined ? {} : { signal: context.signal }),
        });
        const notes = receipt ? receipt.notes : [];
        report.held.push({ name: destination.name, at: context.now(), notes });
        await context.health?.record(context.tenant, destination.name, { ok: true, notes }, context.now());
        report.delivered.push(destination.name);
        if (notes.length > 0) report.notes[destination.name] = notes;
      } catch (thrown) {
        // Aborted by the caller (a slot given up): the abort's reason says why, not the sink's "aborted".
        const cause = context.signal?.aborted === true && isIpenrichError(context.signal.reason) ? context.signal.reason : thrown;
        const error = toIpenrichError(cause);
        const reason = `${error.code}: ${error.message}`;
        const [after] = await Promise.all([
          ledger.markFailed(destination.name, context.now(), reason),
          context.health?.record(context.tenant, destination.name, { ok: false, error: reason }, context.now()),
        ]);
        report.failed.push({ name: destination.name, error, state: after });
      }
    }),
  );
  if (report.failed.length > 0 && report.held.length > 0) {
    // The job waits for the others: what was accepted is recorded now, so no retry sends it again.
    await Promise.all(report.held.splice(0).map((mark) => ledger.markDelivered(mark.name, mark.at, mark.notes)));
  }
  return report;
}
