import { z } from 'zod';
import { IP_RANGES } from '../extract/ip-ranges.js';

/**
 * The enrichment result: one per alert, what every sink receives. Versioned; its JSON Schema is
 * published as config/result.schema.json (generated from this file, checked by a test).
 */
export const RESULT_SCHEMA_VERSION = 1;

export const IP_STATUSES = ['enriched', 'not_seen', 'skipped', 'invalid', 'deferred', 'error'] as const;
export type IpStatus = (typeof IP_STATUSES)[number];

/** rare: seen by few devices; new: first seen recently; unseen: no device in the organization talked to it. */
const VERDICTS = ['rare', 'new', 'unseen'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const ipResultSchema = z.object({
  ip: z.string().describe('Canonical form: IPv4 dotted decimal, IPv6 RFC 5952 lowercase.'),
  version: z.union([z.literal(4), z.literal(6)]),
  range: z.enum(IP_RANGES),
  status: z.enum(IP_STATUSES),
  prevalence: z.number().int().min(0).nullable().describe('Distinct devices in the organization that connected to the IP.'),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  lookBackHours: z.number().int().min(1).max(720),
  cached: z.boolean(),
  stale: z
    .boolean()
    .optional()
    .describe('For IPs Defender answered: true when the answer is a cache entry past its TTL, used because the API budget could not refetch it in time (see fetchedAt).'),
  fetchedAt: z.string().optional().describe('For IPs Defender answered: when it gave the answer (ISO 8601).'),
  source: z
    .enum(['ipstats', 'hunting'])
    .optional()
    .describe('For IPs Defender answered: which API gave the answer — `ipstats` (Get IP statistics) or `hunting` (Microsoft Graph advanced hunting, docs/hunting.md).'),
  verdict: z.array(z.enum(VERDICTS)),
  reason: z.string().optional().describe('Why the IP was skipped, invalid, deferred or failed.'),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  retryAt: z.string().optional().describe('For deferred IPs: when budget is expected.'),
  paths: z.array(z.string()).describe('Where in the alert the IP was found (JSON paths).'),
});
export type IpResult = z.infer<typeof ipResultSchema>;

export const alertResultSchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  alertId: z.string(),
  tenant: z.string(),
  contentDigest: z.string().nullable().default(null).describe('Digest of the alert as received (`sha256:…`): a different content under the same alert id is a new revision.'),
  replaces: z.string().nullable().default(null).describe('Digest of the revision of this alert received before this one, when there was one.'),
  format: z.string().describe('Detected alert format, e.g. sentinel-incident, splunk-webhook, generic.'),
  title: z.string().nullable(),
  severity: z.string().nullable(),
  incidentArmId: z.string().nullable().describe('Sentinel incident ARM id, when the alert came from one.'),
  alertTime: z.string().nullable(),
  receivedAt: z.string(),
  completedAt: z.string(),
  partial: z.boolean().describe('True when some IPs are deferred or failed.'),
  truncated: z.boolean().describe('True when the alert held more IPs than the configured maximum.'),
  ips: z.array(ipResultSchema),
  cidrs: z
    .array(z.string())
    .describe('Networks named in the alert, context rather than hosts to look up: `address/prefix` (`10.0.0.0/8`) or a range `first-last` (`10.0.0.0-10.255.255.255`), addresses canonical.'),
  summary: z.object({
    text: z.string().describe('One line an analyst reads at a glance.'),
    counts: z.record(z.enum(IP_STATUSES), z.number().int().min(0)),
    rare: z.array(z.string()),
    new: z.array(z.string()),
  }),
});
export type AlertResult = z.infer<typeof alertResultSchema>;
