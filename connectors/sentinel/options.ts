import { z } from 'zod';
import { IpenrichError } from '../../src/errors.js';
import { WORKSPACE_ID } from './workspace-allowlist.js';

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

/** A shared write window; ARM's minimum is 75 per 5 minutes per subscription for each kind of write. */
const writeWindow = z.object({ max: z.number().int().min(1), windowMs: z.number().int().min(1) });
const ARM_WRITES = { max: 75, windowMs: 300_000 };

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
  /**
   * Comment length cap: "up to 30,000 characters" per comment (azure-docs sentinel/comment-on-incidents.md).
   * Counted in UTF-16 code units, never fewer than characters.
   */
  commentMaxChars: z.number().int().min(1_000).max(30_000).default(30_000),
  /** "up to 100 comments" per incident (same page): past it, the comment is skipped with a receipt note. */
  commentsPerIncident: z.number().int().min(1).max(10_000).default(100),
  /** PUT comment and PUT incident windows, per subscription, shared by every worker (tests scale them). */
  commentWriteLimit: writeWindow.default(ARM_WRITES),
  incidentWriteLimit: writeWindow.default(ARM_WRITES),
  /** Workspaces whose incidents may get comments and labels (SENTINEL_WORKSPACES); none by default. */
  workspaces: z.union([z.literal('any'), z.array(z.string().regex(WORKSPACE_ID, 'must be a workspace resource id (/subscriptions/…/resourceGroups/…/providers/Microsoft.OperationalInsights/workspaces/…)'))]).default([]),
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
