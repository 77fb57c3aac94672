import type { AlertResult } from '../result/schema.js';

export interface DeliveryContext {
  /**
   * Stable per (alert, sink): the same on every retry, so receivers can deduplicate
   * (Standard Webhooks `webhook-id`, Sentinel comment id, Splunk event id).
   */
  readonly deliveryId: string;
  readonly signal?: AbortSignal;
  /** Per-alert callback URL from the job, for the webhook sink (checked against the allowlist). */
  readonly callbackUrl?: string;
  /**
   * What earlier attempts of this delivery already got accepted, when the worker keeps it (scoped to
   * one job and sink). Sinks that write several parts (Sentinel rows, comment, label; Splunk
   * batches) skip completed parts, so a retry re-sends only what failed. Without it a retry re-sends
   * every part (at-least-once).
   */
  readonly progress?: DeliveryProgress;
}

/** Per-delivery record of accepted parts; part names are chosen by the sink (e.g. `row:203.0.113.7`). */
export interface DeliveryProgress {
  completed(): Promise<ReadonlySet<string>>;
  /** Called right after the destination accepted these parts, before the next part is sent. */
  markCompleted(parts: readonly string[]): Promise<void>;
}

/**
 * What a destination accepted with reservations, for the operator and the caller: e.g. "incident
 * comment skipped: the incident already has 100 comments". The delivery still counts as done.
 */
export interface DeliveryReceipt {
  readonly notes: readonly string[];
}

/**
 * A destination for results. `deliver` resolves once the destination accepted the result and
 * throws IpenrichError otherwise: SINK_UNAVAILABLE (retryable, with retryAfterMs when known),
 * SINK_REJECTED / SINK_DISABLED / CALLBACK_URL_REFUSED (not retryable).
 * A success whose response body could not be parsed is still a success: never re-send it.
 */
export interface Sink {
  readonly name: string;
  /** Resolves with notes when the destination accepted the result with reservations (a part skipped and why). */
  deliver(result: AlertResult, context: DeliveryContext): Promise<DeliveryReceipt | void>;
  /** Releases connections; safe to call more than once. */
  close(): Promise<void>;
}
