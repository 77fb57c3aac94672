import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { IpenrichError } from '../../src/errors.js';

const splunkOptionsSchema = z.object({
  /** HEC base URL, e.g. https://splunk.example.com:8088 (the /services/collector/... paths are added). */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  token: z.string().min(1),
  index: z.string().min(1).optional(),
  source: z.string().min(1).default('ipenrich'),
  sourcetype: z.string().min(1).default('ipenrich:ip:stats'),
  host: z.string().min(1).optional(),
  /** One event per IP instead of one per alert (the IPs inside). */
  eventPerIp: z.boolean().default(false),
  /** Request bodies stay under this size; several batches are sent when the events do not fit. */
  maxBatchBytes: z.number().int().min(1_024).max(50 * 1_048_576).default(1_000_000),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Indexer acknowledgement: only resolve once Splunk says the events are indexed. */
  ack: z.boolean().default(false),
  ackTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  ackPollIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
  /** `X-Splunk-Request-Channel`; a GUID stable for the sink instance by default. */
  channel: z.uuid().default(() => randomUUID()),
  /** Extra trusted CA (PEM) for a Splunk with a self-signed or private-CA certificate. */
  ca: z.string().min(1).optional(),
  httpsProxy: z.string().min(1).optional(),
  noProxy: z.string().optional(),
});

export type SplunkOptionsInput = z.input<typeof splunkOptionsSchema>;
export type SplunkOptions = Readonly<z.output<typeof splunkOptionsSchema>>;

export function parseSplunkOptions(input: SplunkOptionsInput): SplunkOptions {
  const parsed = splunkOptionsSchema.safeParse(input);
  if (!parsed.success) {
    // zod messages describe expectations, never the received value: the token stays out.
    const problems = parsed.error.issues.map((issue) => `splunk ${issue.path.join('.')}: ${issue.message}`);
    throw new IpenrichError('CONFIG_INVALID', `Invalid Splunk sink options: ${problems.join('; ')}`, { details: { problems } });
  }
  return Object.freeze(parsed.data);
}
