import { z } from 'zod';
import { defineConnector } from '../../src/sinks/connector.js';
import { bool, httpUrl, int, list } from '../../src/sinks/setting-fields.js';
import { createRedisDisabledEndpoints } from './disabled-endpoints.js';
import { createWebhookSink } from './index.js';
import { parseWebhookOptions, type WebhookOptionsInput } from './options.js';

/** WEBHOOK_* settings (config/ipenrich.example.env documents each). */
const webhookSettings = z.object({
  WEBHOOK_URL: httpUrl.optional(),
  WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=]{32,}$/, 'must be whsec_ followed by base64 (24-64 random bytes)').optional(),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(15_000),
  /** Hosts (exact, or `*.example.com`) that per-alert callback URLs may target. */
  WEBHOOK_CALLBACK_ALLOWLIST: list.default([]),
  /** Allow callbacks to loopback/private/link-local addresses (local development only). */
  WEBHOOK_ALLOW_PRIVATE_CALLBACKS: bool.default(false),
});

/**
 * Standard Webhooks delivery to WEBHOOK_URL, and to per-alert callback URLs (which is why the sink
 * exists whenever WEBHOOK_SECRET is set, even when `webhook` is not in SINKS).
 */
export const webhookConnector = defineConnector({
  name: 'webhook',
  settings: webhookSettings,
  required: ['WEBHOOK_SECRET'],
  secrets: ['WEBHOOK_SECRET'],
  ownOnly: ['WEBHOOK_SECRET', 'WEBHOOK_CALLBACK_ALLOWLIST', 'WEBHOOK_ALLOW_PRIVATE_CALLBACKS'],
  options(settings): WebhookOptionsInput {
    if (settings.WEBHOOK_SECRET === undefined) throw new Error('unreachable: WEBHOOK_SECRET is required');
    const input: WebhookOptionsInput = {
      url: settings.WEBHOOK_URL,
      secret: settings.WEBHOOK_SECRET,
      timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
      callbackAllowlist: [...settings.WEBHOOK_CALLBACK_ALLOWLIST],
      allowPrivateCallbacks: settings.WEBHOOK_ALLOW_PRIVATE_CALLBACKS,
      httpsProxy: settings.HTTPS_PROXY,
      noProxy: settings.NO_PROXY,
    };
    parseWebhookOptions(input);
    return input;
  },
  create: (options, deps) =>
    createWebhookSink(options, { disabledEndpoints: createRedisDisabledEndpoints(deps.sharedHash.redis, deps.sharedHash.key('disabled')) }),
});
