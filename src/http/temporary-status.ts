/**
 * Why an HTTP status means "the same request may succeed later":
 * - `timeout`: 408 Request Timeout (RFC 9110 §15.5.9);
 * - `throttled`: 429 Too Many Requests (RFC 6585 §4);
 * - `server-error`: any 5xx (RFC 9110 §15.6).
 */
export type TemporaryStatusReason = 'timeout' | 'throttled' | 'server-error';

/**
 * The one rule for which answers are temporary, used by every outbound call to a vendor API:
 * Defender, ARM (incident comments and labels), Splunk HEC when the body has no HEC code, Logs
 * Ingestion (the statuses the Azure SDK reports). Every other status is final.
 *
 * The webhook is the exception, with its own rule in connectors/webhook/webhook-status.ts:
 * Standard Webhooks retries every non-2xx except 410 (docs/webhook.md §3;
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#delivery-behavior).
 */
export function temporaryStatusReason(status: number): TemporaryStatusReason | undefined {
  if (status === 408) return 'timeout';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server-error';
  return undefined;
}

export function isTemporaryStatus(status: number): boolean {
  return temporaryStatusReason(status) !== undefined;
}
