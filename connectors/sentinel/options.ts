import { z } from 'zod';
import { IpenrichError } from '../../src/errors.js';

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

const sentinelOptionsSchema = z.object({
  /** DCE or the DCR's own logs-ingestion endpoint, e.g. https://my-dce.eastus-1.ingest.monitor.azure.com */
  ingestionEndpoint: httpsUrl,
  /** The DCR's immutable id (`dcr-…`), not its ARM resource id. */
  dcrImmutableId: z.string().regex(/^dcr-[0-9a-f]{32}$|^dcr-[A-Za-z0-9-]+$/, 'must be the DCR immutable id (dcr-…)'),
  stream: z.string().regex(/^(Custom|Microsoft)-[A-Za-z0-9_]+$/, 'must be Custom-<table> or Microsoft-<table>').default('Custom-IpEnrichment_CL'),
  /** Token audience for Logs Ingestion: https://monitor.azure.com, .us (US Gov) or .cn (21Vianet). */
  audience: httpsUrl.default('https://monitor.azure.com'),
  /** Azure Resource Manager, for incident comments and labels. */
  armEndpoint: httpsUrl.default('https://management.azure.com'),
  incidentComments: z.boolean().default(true),
  /** Label added to the incident when a verdict says rare (e.g. "rare-ip"); none when absent. */
  rareLabel: z.string().min(1).max(256).optional(),
  /** Comment length cap: Sentinel's limit is undocumented (~30,000 chars reported); stay under it. */
  commentMaxChars: z.number().int().min(1_000).max(30_000).default(28_000),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  /** Upload attempts inside one `deliver` call, each re-sending only the rows that failed. */
  attempts: z.number().int().min(1).max(10).default(3),
  backoffBaseMs: z.number().int().min(0).max(60_000).default(500),
  /** A Retry-After longer than this is not slept on: the error carries it and the worker defers. */
  maxInProcessWaitMs: z.number().int().min(0).max(300_000).default(5_000),
  maxConcurrency: z.number().int().min(1).max(20).default(2),
  httpsProxy: z.string().min(1).optional(),
  noProxy: z.string().optional(),
});

export type SentinelOptionsInput = z.input<typeof sentinelOptionsSchema>;
export type SentinelOptions = Readonly<z.output<typeof sentinelOptionsSchema>>;

export function parseSentinelOptions(input: SentinelOptionsInput): SentinelOptions {
  const parsed = sentinelOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `sentinel ${issue.path.join('.')}: ${issue.message}`);
    throw new IpenrichError('CONFIG_INVALID', `Invalid Sentinel sink options: ${problems.join('; ')}`, { details: { problems } });
  }
  return Object.freeze(parsed.data);
}
