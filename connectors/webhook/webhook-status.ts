/**
 * What a webhook receiver's status means for the delivery:
 * - `delivered`: any 2xx;
 * - `gone`: 410 Gone, the receiver's one permanent refusal: the endpoint is disabled;
 * - `retry`: every other status, 3xx and 4xx included, is a failure retried on the schedule (a
 *   receiver answering 404 or 401 while it is redeployed must not lose the result).
 *
 * This is the webhook's own rule, not src/http/temporary-status.ts (the one for vendor APIs, where
 * a 4xx is final): Standard Webhooks (docs/webhook.md §3, "How answers are treated"),
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#delivery-behavior
 */
export type WebhookStatusOutcome = 'delivered' | 'gone' | 'retry';

export function webhookStatusOutcome(status: number): WebhookStatusOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}
