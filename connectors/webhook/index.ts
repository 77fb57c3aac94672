import { IpenrichError } from '../../src/errors.js';
import { createHttpTransport, type HttpTransport } from '../../src/http/transport.js';
import type { AlertResult } from '../../src/result/schema.js';
import type { DeliveryContext, Sink } from '../../src/sinks/port.js';
import { checkCallbackUrl, systemResolveHost, type ResolveHost } from './callback-target.js';
import { createMemoryDisabledEndpoints, type DisabledEndpoints } from './disabled-endpoints.js';
import { buildEnvelope } from './envelope.js';
import { parseWebhookOptions, type WebhookOptionsInput } from './options.js';
import { postWebhook } from './post-webhook.js';
import { withRetries } from './retry-schedule.js';
import { describeUrl } from './safe-url.js';

export type { WebhookOptionsInput } from './options.js';
export { createRedisDisabledEndpoints, createMemoryDisabledEndpoints, readDisabledEndpoints, type DisabledNote } from './disabled-endpoints.js';
export type { ResolveHost,  } from './callback-target.js';

/** Collaborators that are not configuration: shared state and, for tests, DNS and the clock. */
export interface WebhookSinkDependencies {
  /** Where 410-disabled endpoints are kept; use the Redis one so every worker agrees. */
  readonly disabledEndpoints?: DisabledEndpoints;
  readonly resolveHost?: ResolveHost;
  readonly now?: () => number;
}

/**
 * The webhook sink: POSTs `{type, timestamp, data: AlertResult}` signed per Standard Webhooks, to
 * the alert's callback URL when the job carries one (checked against the allowlist and address
 * policy), otherwise to the configured URL. `webhook-id` is the deliveryId, so receivers can drop
 * the duplicates that at-least-once delivery produces.
 */
export function createWebhookSink(input: WebhookOptionsInput, dependencies: WebhookSinkDependencies = {}): Sink {
  const options = parseWebhookOptions(input);
  const disabledEndpoints = dependencies.disabledEndpoints ?? createMemoryDisabledEndpoints();
  const resolveHost = dependencies.resolveHost ?? systemResolveHost;
  const now = dependencies.now ?? Date.now;
  const configuredUrl = options.url === undefined ? undefined : new URL(options.url);
  const sharedTransport = createHttpTransport({ ca: options.ca, httpsProxy: options.httpsProxy, noProxy: options.noProxy, defaultTimeoutMs: options.timeoutMs });
  let closed = false;

  async function target(context: DeliveryContext): Promise<{ url: URL; transport: HttpTransport; owned: boolean }> {
    if (context.callbackUrl !== undefined) {
      const checked = await checkCallbackUrl(
        context.callbackUrl,
        { allowlist: options.callbackAllowlist, allowPrivate: options.allowPrivateCallbacks },
        resolveHost,
      );
      return { url: checked.url, transport: createHttpTransport({ ca: options.ca, pinned: checked.pinned, defaultTimeoutMs: options.timeoutMs }), owned: true };
    }
    if (configuredUrl === undefined) {
      throw new IpenrichError('SINK_REJECTED', 'No webhook URL: set WEBHOOK_URL or give the alert a callback URL');
    }
    return { url: configuredUrl, transport: sharedTransport, owned: false };
  }

  async function deliver(result: AlertResult, context: DeliveryContext): Promise<void> {
    if (closed) throw new IpenrichError('SINK_UNAVAILABLE', 'The webhook sink is closed');
    // Standard Webhooks signs `{id}.{timestamp}.{body}`, so an id with a dot would be ambiguous.
    if (!/^[^.\s]{1,256}$/.test(context.deliveryId)) {
      throw new IpenrichError('INTERNAL', 'deliveryId must be 1–256 characters without dots or spaces');
    }
    if (context.signal?.aborted) {
      throw new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted before it started', { details: { aborted: true } });
    }
    const { url, transport, owned } = await target(context);
    try {
      if (await disabledEndpoints.isDisabled(url)) {
        throw new IpenrichError('SINK_DISABLED', `Webhook endpoint ${describeUrl(url)} is disabled (it answered 410 Gone)`);
      }
      const body = JSON.stringify(buildEnvelope(result));
      await withRetries(options, context.signal, () =>
        postWebhook({
          transport,
          url,
          id: context.deliveryId,
          body,
          secret: options.secret,
          timeoutMs: options.timeoutMs,
          signal: context.signal,
          disabledEndpoints,
          now,
        }),
      );
    } finally {
      if (owned) await transport.close();
    }
  }

  return {
    name: 'webhook',
    deliver,
    async close() {
      if (closed) return;
      closed = true;
      await sharedTransport.close();
    },
  };
}
