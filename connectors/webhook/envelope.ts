import type { AlertResult } from '../../src/result/schema.js';

const WEBHOOK_EVENT_TYPE = 'ipenrich.alert.enriched';

/** The body receivers get: the Standard Webhooks recommended shape `{type, timestamp, data}`. */
export interface WebhookEnvelope {
  readonly type: typeof WEBHOOK_EVENT_TYPE;
  /** When the result was completed: the same on every retry, so the signed body never changes. */
  readonly timestamp: string;
  readonly data: AlertResult;
}

export function buildEnvelope(result: AlertResult): WebhookEnvelope {
  return { type: WEBHOOK_EVENT_TYPE, timestamp: result.completedAt, data: result };
}
