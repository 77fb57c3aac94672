import { z } from 'zod';
import { IpenrichError } from '../../src/errors.js';

/** Standard Webhooks: the key is 24–64 random bytes, written `whsec_<base64>`. */
const whsecSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine((value) => {
    const bytes = Buffer.from(value.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'must encode 24 to 64 random bytes');

const webhookOptionsSchema = z.object({
  /** The configured endpoint; optional when every alert brings its own callback URL. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  secret: whsecSecret,
  /** Per attempt, connection to last body byte. Standard Webhooks suggests 15–30 s. */
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Attempts inside one `deliver` call; later retries are the worker's (job backoff). */
  attempts: z.number().int().min(1).max(10).default(3),
  backoffBaseMs: z.number().int().min(0).max(60_000).default(500),
  /** A Retry-After longer than this is not slept on: the error carries it and the worker defers. */
  maxInProcessWaitMs: z.number().int().min(0).max(300_000).default(5_000),
  /** Hosts per-alert callback URLs may target: exact (`hooks.example.com`) or `*.example.com`. */
  callbackAllowlist: z.array(z.string().min(1)).default([]),
  /** Lets callbacks reach loopback, private and link-local addresses: local development only. */
  allowPrivateCallbacks: z.boolean().default(false),
  /** Extra trusted CA (PEM) for receivers with a private certificate authority. */
  ca: z.string().min(1).optional(),
  /** Forward proxy for the configured URL (callbacks connect directly to their checked address). */
  httpsProxy: z.url({ protocol: /^https?$/ }).optional(),
  /** Hosts reached without the proxy (`example.com`, `.example.com`, `host:port`, `*`). */
  noProxy: z.string().optional(),
});

export type WebhookOptionsInput = z.input<typeof webhookOptionsSchema>;
export type WebhookOptions = Readonly<z.output<typeof webhookOptionsSchema>>;

export function parseWebhookOptions(input: WebhookOptionsInput): WebhookOptions {
  const parsed = webhookOptionsSchema.safeParse(input);
  if (!parsed.success) {
    // zod messages describe expectations, never the received value: the secret stays out.
    const problems = parsed.error.issues.map((issue) => `webhook ${issue.path.join('.')}: ${issue.message}`);
    throw new IpenrichError('CONFIG_INVALID', `Invalid webhook sink options: ${problems.join('; ')}`, { details: { problems } });
  }
  return Object.freeze(parsed.data);
}
