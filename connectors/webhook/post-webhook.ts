import type { Dispatcher } from 'undici';
import { IpenrichError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import type { DisabledEndpoints } from './disabled-endpoints.js';
import { describeUrl } from './safe-url.js';
import { signWebhook } from './sign.js';
import { discard, readReason, send } from './transport.js';

export interface PostWebhookInput {
  readonly dispatcher: Dispatcher;
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
 * One signed delivery attempt, classified per Standard Webhooks delivery semantics: 2xx success
 * (the body is not read: a success stays a success), 3xx failure (never followed), 410 disables the
 * endpoint, 408/429/5xx retryable with Retry-After, any other 4xx final.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#delivery-behavior
 */
export async function postWebhook(input: PostWebhookInput): Promise<void> {
  const timestamp = Math.floor(input.now() / 1_000);
  const response = await send(
    input.dispatcher,
    {
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
    },
    input.timeoutMs,
    input.signal,
  );
  const status = response.statusCode;
  const where = describeUrl(input.url);
  if (status >= 200 && status < 300) {
    await discard(response.body);
    return;
  }
  if (status === 410) {
    await discard(response.body);
    await input.disabledEndpoints.disable(input.url, { endpoint: where, status, at: new Date(input.now()).toISOString() });
    throw new IpenrichError('SINK_DISABLED', `Webhook endpoint ${where} answered 410 Gone; it is disabled until re-enabled`, {
      statusCode: status,
    });
  }
  if (status >= 300 && status < 400) {
    await discard(response.body);
    throw new IpenrichError(
      'SINK_REJECTED',
      `Webhook endpoint ${where} answered ${status} (a redirect); redirects are not followed: configure the final URL`,
      { statusCode: status },
    );
  }
  const reason = await readReason(response.body, [input.secret, input.secret.slice('whsec_'.length)]);
  const suffix = reason ? `: ${reason}` : '';
  if (status === 408 || status === 429 || status >= 500) {
    const header = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, input.now());
    throw new IpenrichError('SINK_UNAVAILABLE', `Webhook endpoint ${where} answered ${status}${suffix}`, {
      statusCode: status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  throw new IpenrichError('SINK_REJECTED', `Webhook endpoint ${where} answered ${status}${suffix}`, { statusCode: status });
}
