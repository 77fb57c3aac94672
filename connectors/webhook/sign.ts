import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks v1 signature: HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed with the
 * base64-decoded part of the `whsec_` secret, written `v1,<base64>`.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const digest = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${digest}`;
}
