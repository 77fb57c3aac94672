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
}

/**
 * A destination for results. `deliver` resolves once the destination accepted the result and
 * throws IpenrichError otherwise: SINK_UNAVAILABLE (retryable, with retryAfterMs when known),
 * SINK_REJECTED / SINK_DISABLED / CALLBACK_URL_REFUSED (not retryable).
 * A success whose response body could not be parsed is still a success: never re-send it.
 */
export interface Sink {
  readonly name: string;
  deliver(result: AlertResult, context: DeliveryContext): Promise<void>;
  /** Releases connections; safe to call more than once. */
  close(): Promise<void>;
}
