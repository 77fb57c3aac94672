import { IpenrichError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import type { HttpTransport, StatusFirstResponse } from '../../src/http/transport.js';
import type { DisabledEndpoints } from './disabled-endpoints.js';
import { readReason } from './response-reason.js';
import { describeUrl } from './safe-url.js';
import { signWebhook } from './sign.js';
import { webhookTransportError } from './transport-failure.js';
import { webhookStatusOutcome } from './webhook-status.js';

export interface PostWebhookInput {
  readonly transport: HttpTransport;
  readonly url: URL;
  readonly id: string;
  readonly body: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly disabledEndpoints: DisabledEndpoints;
  readonly now: () => number;
}

/**
 * One signed delivery attempt, classified by the webhook's own rule (webhook-status.ts): 2xx
 * success (status-first, the body is not read: a success stays a success), 410 disables the
 * endpoint, every other status (3xx never followed, 4xx, 5xx) is SINK_UNAVAILABLE with
 * Retry-After: retried in-process, then on the worker's backoff up to SINK_MAX_RETRY_MS.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#delivery-behavior
 */
export async function postWebhook(input: PostWebhookInput): Promise<void> {
  const timestamp = Math.floor(input.now() / 1_000);
  let response: StatusFirstResponse;
  try {
    response = await input.transport.requestStatusFirst({
      url: input.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ipenrich-webhook',
        'webhook-id': input.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(input.secret, input.id, timestamp, input.body),
      },
      body: input.body,
      timeoutMs: input.timeoutMs,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    throw webhookTransportError(error, input.url, input.timeoutMs);
  }
  const status = response.status;
  const outcome = webhookStatusOutcome(status);
  if (outcome === 'delivered') {
    await response.discard();
    return;
  }
  // Named only in failures: describing the URL redacts it, work a success does not need.
  const where = describeUrl(input.url);
  if (outcome === 'gone') {
    await response.discard();
    await input.disabledEndpoints.disable(input.url, { endpoint: where, status, at: new Date(input.now()).toISOString() });
    throw new IpenrichError('SINK_DISABLED', `Webhook endpoint ${where} answered 410 Gone; it is disabled until re-enabled`, {
      statusCode: status,
    });
  }
  const redirect = status >= 300 && status < 400;
  const reason = redirect ? 'a redirect, which is not followed: configure the final URL' : await readReason(response, input.url, [input.secret, input.secret.slice('whsec_'.length)]);
  if (redirect) await response.discard();
  const suffix = reason ? `: ${reason}` : '';
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], input.now());
  throw new IpenrichError('SINK_UNAVAILABLE', `Webhook endpoint ${where} answered ${status}${suffix}`, {
    statusCode: status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
