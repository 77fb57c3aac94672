import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../../src/config/load.js';
import { IpenrichError } from '../../src/errors.js';

export const splunkOptionsSchema = z.object({
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

/** Maps SPLUNK_* settings; reads SPLUNK_CA_FILE here so the connector itself touches no files. */
export function splunkOptionsFromConfig(config: Config): SplunkOptionsInput {
  if (config.SPLUNK_HEC_URL === undefined || config.SPLUNK_HEC_TOKEN === undefined) {
    const missing = (['SPLUNK_HEC_URL', 'SPLUNK_HEC_TOKEN'] as const).filter((name) => config[name] === undefined);
    throw new IpenrichError('CONFIG_INVALID', `Invalid configuration: ${missing.join(' and ')} required when SINKS includes splunk`);
  }
  let ca: string | undefined;
  if (config.SPLUNK_CA_FILE !== undefined) {
    try {
      ca = readFileSync(config.SPLUNK_CA_FILE, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new IpenrichError('CONFIG_INVALID', `Invalid configuration: SPLUNK_CA_FILE: cannot read ${config.SPLUNK_CA_FILE} (${reason})`);
    }
  }
  return {
    url: config.SPLUNK_HEC_URL,
    token: config.SPLUNK_HEC_TOKEN,
    index: config.SPLUNK_INDEX,
    source: config.SPLUNK_SOURCE,
    sourcetype: config.SPLUNK_SOURCETYPE,
    host: config.SPLUNK_HOST,
    eventPerIp: config.SPLUNK_EVENT_PER_IP,
    ack: config.SPLUNK_ACK,
    ca,
    httpsProxy: config.HTTPS_PROXY,
    noProxy: config.NO_PROXY,
  };
}
