import { z } from 'zod';
import { defineConnector } from '../../src/sinks/connector.js';
import { bool, httpsUrl } from '../../src/sinks/setting-fields.js';
import { createSentinelSink } from './index.js';
import { parseSentinelOptions, type SentinelOptionsInput } from './options.js';

/** SENTINEL_* settings (config/ipenrich.example.env documents each). */
const sentinelSettings = z.object({
  SENTINEL_INGESTION_ENDPOINT: httpsUrl.optional(),
  SENTINEL_DCR_ID: z.string().min(1).optional(),
  SENTINEL_STREAM: z.string().regex(/^(Custom|Microsoft)-[A-Za-z0-9_]+$/).default('Custom-IpEnrichment_CL'),
  SENTINEL_AUDIENCE: httpsUrl.optional(),
  SENTINEL_INCIDENT_COMMENTS: bool.default(true),
  SENTINEL_ARM_ENDPOINT: httpsUrl.optional(),
  SENTINEL_RARE_LABEL: z.string().min(1).optional(),
});

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

/** Microsoft Sentinel: Logs Ingestion rows, incident comments and labels, with the tenant's Entra credential. */
export const sentinelConnector = defineConnector({
  name: 'sentinel',
  settings: sentinelSettings,
  required: ['SENTINEL_INGESTION_ENDPOINT', 'SENTINEL_DCR_ID'],
  secrets: [],
  options(settings): SentinelOptionsInput {
    if (settings.SENTINEL_INGESTION_ENDPOINT === undefined || settings.SENTINEL_DCR_ID === undefined) throw new Error('unreachable: required settings');
    const cloud = CLOUD_ENDPOINTS[settings.MDE_CLOUD];
    const input: SentinelOptionsInput = {
      ingestionEndpoint: settings.SENTINEL_INGESTION_ENDPOINT,
      dcrImmutableId: settings.SENTINEL_DCR_ID,
      stream: settings.SENTINEL_STREAM,
      audience: settings.SENTINEL_AUDIENCE ?? cloud.audience,
      armEndpoint: settings.SENTINEL_ARM_ENDPOINT ?? cloud.arm,
      incidentComments: settings.SENTINEL_INCIDENT_COMMENTS,
      rareLabel: settings.SENTINEL_RARE_LABEL,
      httpsProxy: settings.HTTPS_PROXY,
      noProxy: settings.NO_PROXY,
    };
    parseSentinelOptions(input);
    return input;
  },
  create: (options, deps) => createSentinelSink(options, { tokens: deps.tokens(), rateLimiter: deps.rateLimiter }),
});
