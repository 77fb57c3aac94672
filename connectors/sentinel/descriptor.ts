import { z } from 'zod';
import { CLOUDS } from '../../src/auth/cloud.js';
import { IpenrichError } from '../../src/errors.js';
import { defineConnector } from '../../src/sinks/connector.js';
import { bool, httpsUrl, list } from '../../src/sinks/setting-fields.js';
import { createSentinelSink } from './index.js';
import { parseSentinelOptions, type SentinelOptionsInput } from './options.js';
import { sentinelIdentity } from './sentinel-identity.js';
import { WORKSPACE_ID } from './workspace-allowlist.js';

/** SENTINEL_* settings (config/ipenrich.example.env documents each). */
const sentinelSettings = z.object({
  SENTINEL_INGESTION_ENDPOINT: httpsUrl.optional(),
  SENTINEL_DCR_ID: z.string().min(1).optional(),
  SENTINEL_STREAM: z.string().regex(/^(Custom|Microsoft)-[A-Za-z0-9_]+$/).default('Custom-IpEnrichment_CL'),
  SENTINEL_AUDIENCE: httpsUrl.optional(),
  SENTINEL_INCIDENT_COMMENTS: bool.default(true),
  SENTINEL_ARM_ENDPOINT: httpsUrl.optional(),
  SENTINEL_RARE_LABEL: z.string().min(1).optional(),
  /** Workspace resource ids whose incidents this tenant's alerts may comment on and label, or `*` for any. */
  SENTINEL_WORKSPACES: list
    .refine((ids) => (ids.length === 1 && ids[0] === '*') || ids.every((id) => WORKSPACE_ID.test(id)), {
      message: 'must be * or a comma list of workspace resource ids (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>)',
    })
    .optional(),
  // Sentinel's own identity, when its workspace trusts another app or cloud than Defender (same shapes as MDE_*).
  SENTINEL_TENANT_ID: z.string().min(1).optional(),
  SENTINEL_CLIENT_ID: z.string().min(1).optional(),
  SENTINEL_CLIENT_SECRET: z.string().min(1).optional(),
  SENTINEL_CERTIFICATE_PATH: z.string().min(1).optional(),
  SENTINEL_MANAGED_IDENTITY: z.string().min(1).optional(),
  /** Sentinel's cloud when it differs from Defender's (a GCC tenant with Sentinel in Azure Government). */
  SENTINEL_CLOUD: z.enum(CLOUDS).optional(),
});

/** Unset: no workspace. The sink cannot tell a customer's own identity from an MSSP's that reaches every customer. */
function allowlist(ids: string[] | undefined): string[] | 'any' {
  if (ids === undefined) return [];
  return ids.length === 1 && ids[0] === '*' ? 'any' : ids;
}

/** One Sentinel credential, complete: the same rule as Defender's (src/auth/credential.ts), told in SENTINEL_ names. */
function credentialProblems(settings: z.output<typeof sentinelSettings>): string[] {
  const kinds = (['SENTINEL_CLIENT_SECRET', 'SENTINEL_CERTIFICATE_PATH', 'SENTINEL_MANAGED_IDENTITY'] as const).filter((name) => settings[name] !== undefined);
  const any = kinds.length > 0 || settings.SENTINEL_TENANT_ID !== undefined || settings.SENTINEL_CLIENT_ID !== undefined;
  if (!any) return [];
  if (kinds.length > 1) return [`set only one of ${kinds.join(', ')}`];
  if (kinds[0] === 'SENTINEL_MANAGED_IDENTITY') return [];
  const missing = [
    settings.SENTINEL_TENANT_ID === undefined && 'SENTINEL_TENANT_ID',
    settings.SENTINEL_CLIENT_ID === undefined && 'SENTINEL_CLIENT_ID',
    kinds.length === 0 && 'SENTINEL_CLIENT_SECRET or SENTINEL_CERTIFICATE_PATH or SENTINEL_MANAGED_IDENTITY',
  ].filter((name): name is string => typeof name === 'string');
  return missing.length > 0 ? [`Sentinel credentials incomplete: set ${missing.join(', ')}`] : [];
}

/**
 * Audiences per cloud: Logs Ingestion's from https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview
 * (also KnownMonitorAudience in @azure/monitor-ingestion); ARM's hosts as the Azure SDK for JS maps clouds (getArmEndpoint,
 * Azure/azure-sdk-for-js, sdk/commerce/arm-commerce/src/static-helpers/cloudSettingHelpers.ts). GCC tenants usually run
 * Sentinel in Azure commercial; GCC High and DoD in Azure Government. SENTINEL_AUDIENCE / SENTINEL_ARM_ENDPOINT
 * override (e.g. https://monitor.azure.cn and https://management.chinacloudapi.cn for 21Vianet).
 */
const CLOUD_ENDPOINTS = {
  commercial: { audience: 'https://monitor.azure.com', arm: 'https://management.azure.com' },
  gcc: { audience: 'https://monitor.azure.com', arm: 'https://management.azure.com' },
  'gcc-high': { audience: 'https://monitor.azure.us', arm: 'https://management.usgovcloudapi.net' },
  dod: { audience: 'https://monitor.azure.us', arm: 'https://management.usgovcloudapi.net' },
} as const;

/**
 * Microsoft Sentinel: Logs Ingestion rows, incident comments and labels, with the tenant's Entra
 * credential or Sentinel's own (SENTINEL_* identity settings; see sentinel-identity.ts).
 */
export const sentinelConnector = defineConnector({
  name: 'sentinel',
  settings: sentinelSettings,
  required: ['SENTINEL_INGESTION_ENDPOINT', 'SENTINEL_DCR_ID'],
  secrets: ['SENTINEL_CLIENT_SECRET'],
  ownOnly: ['SENTINEL_WORKSPACES'],
  options(settings): SentinelOptionsInput {
    if (settings.SENTINEL_INGESTION_ENDPOINT === undefined || settings.SENTINEL_DCR_ID === undefined) throw new Error('unreachable: required settings');
    const problems = credentialProblems(settings);
    if (problems.length > 0) throw new IpenrichError('CONFIG_INVALID', `Invalid Sentinel settings: ${problems.join('; ')}`, { details: { problems } });
    const cloud = CLOUD_ENDPOINTS[settings.SENTINEL_CLOUD ?? settings.MDE_CLOUD];
    const input: SentinelOptionsInput = {
      ingestionEndpoint: settings.SENTINEL_INGESTION_ENDPOINT,
      dcrImmutableId: settings.SENTINEL_DCR_ID,
      stream: settings.SENTINEL_STREAM,
      audience: settings.SENTINEL_AUDIENCE ?? cloud.audience,
      armEndpoint: settings.SENTINEL_ARM_ENDPOINT ?? cloud.arm,
      incidentComments: settings.SENTINEL_INCIDENT_COMMENTS,
      rareLabel: settings.SENTINEL_RARE_LABEL,
      workspaces: allowlist(settings.SENTINEL_WORKSPACES),
      httpsProxy: settings.HTTPS_PROXY,
      noProxy: settings.NO_PROXY,
    };
    parseSentinelOptions(input);
    return input;
  },
  identity: (settings) => sentinelIdentity(settings),
  create: (options, deps) => createSentinelSink(options, { tokens: deps.tokens(), rateLimiter: deps.rateLimiter }),
});
