import { z } from 'zod';
import type { Config } from '../../src/config/load.js';
import { IpenrichError } from '../../src/errors.js';

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

export const sentinelOptionsSchema = z.object({
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

/**
 * Audiences per cloud (contracts.md §3.1, §3.3). GCC tenants usually run Sentinel in Azure
 * commercial; GCC High and DoD in Azure Government. SENTINEL_AUDIENCE / SENTINEL_ARM_ENDPOINT
 * override (e.g. https://monitor.azure.cn and https://management.chinacloudapi.cn for 21Vianet).
 */
const CLOUD_ENDPOINTS = {
  commercial: { audience: 'https://monitor.azure.com', arm: 'https://management.azure.com' },
  gcc: { audience: 'https://monitor.azure.com', arm: 'https://management.azure.com' },
  'gcc-high': { audience: 'https://monitor.azure.us', arm: 'https://management.usgovcloudapi.net' },
  dod: { audience: 'https://monitor.azure.us', arm: 'https://management.usgovcloudapi.net' },
} as const;

export function sentinelOptionsFromConfig(config: Config): SentinelOptionsInput {
  if (config.SENTINEL_INGESTION_ENDPOINT === undefined || config.SENTINEL_DCR_ID === undefined) {
    const missing = ['SENTINEL_INGESTION_ENDPOINT', 'SENTINEL_DCR_ID'].filter((name) => config[name as keyof Config] === undefined);
    throw new IpenrichError('CONFIG_INVALID', `Invalid configuration: ${missing.join(' and ')} required when SINKS includes sentinel`);
  }
  const cloud = CLOUD_ENDPOINTS[config.MDE_CLOUD];
  return {
    ingestionEndpoint: config.SENTINEL_INGESTION_ENDPOINT,
    dcrImmutableId: config.SENTINEL_DCR_ID,
    stream: config.SENTINEL_STREAM,
    audience: config.SENTINEL_AUDIENCE ?? cloud.audience,
    armEndpoint: config.SENTINEL_ARM_ENDPOINT ?? cloud.arm,
    incidentComments: config.SENTINEL_INCIDENT_COMMENTS,
    rareLabel: config.SENTINEL_RARE_LABEL,
    httpsProxy: config.HTTPS_PROXY,
    noProxy: config.NO_PROXY,
  };
}
