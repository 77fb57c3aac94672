import { z } from 'zod';
import { CONNECTORS, type ConnectorName } from '../../connectors/registry.js';
import { bool, httpsUrl, httpUrl, int, list } from '../sinks/setting-fields.js';
import { IP_RANGES } from '../extract/ip-ranges.js';
import { DEFAULT_EXTRACT_OPTIONS } from '../extract/options.js';
import { CLOUDS } from '../auth/cloud.js';
import { parseRateLimits } from '../enrich/rate-windows.js';
import { DEFAULT_OUTBOUND_ACTION_TYPES, MDE_SOURCES } from '../enrich/hunting/sources.js';

/**
 * The configuration schema. Keys are the environment variable names (DESIGN.md), so the same
 * names work in the environment, in the IPENRICH_CONFIG file, and per tenant in that file.
 * `config/ipenrich.example.env` documents each one; test/unit/config.test.ts keeps them in step.
 */

/** A list of rate windows (`100/60s,1500/3600s`), parsed. */
function rateLimits(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const parsed = parseRateLimits(text);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    });
}

const SINK_NAMES = CONNECTORS.map((connector) => connector.name) as [ConnectorName, ...ConnectorName[]];

type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void ? I : never;
type ConnectorSettingsShape = UnionToIntersection<(typeof CONNECTORS)[number]['settings']['shape']>;

/** Every connector's settings, by their environment names, merged into the one schema. */
function connectorSettingsShape(): ConnectorSettingsShape {
  // Object.assign cannot say that the result is the intersection of the shapes; the type above does.
  return Object.assign({}, ...CONNECTORS.map((connector) => connector.settings.shape)) as ConnectorSettingsShape;
}

/**
 * Fields that may differ per tenant (MSSP): its Defender credential and API location, and where its
 * results go. What a tenant does not set it inherits from the top level (src/config/load.ts).
 */
export const tenantFields = z.object({
  MDE_TENANT_ID: z.string().min(1).optional(),
  MDE_CLIENT_ID: z.string().min(1).optional(),
  MDE_CLIENT_SECRET: z.string().min(1).optional(),
  MDE_CERTIFICATE_PATH: z.string().min(1).optional(),
  /** Send the certificate chain (x5c) with the client assertion: needed for subject name/issuer auth. */
  MDE_CERTIFICATE_SEND_X5C: bool.default(false),
  /** `true` for system-assigned managed identity, or the client id of a user-assigned one. */
  MDE_MANAGED_IDENTITY: z.string().min(1).optional(),
  MDE_CLOUD: z.enum(CLOUDS).default('commercial'),
  MDE_REGION: z.enum(['us', 'eu', 'uk', 'au', 'swa', 'ina']).optional(),
  MDE_API_BASE_URL: httpsUrl.optional(),
  MDE_AUTHORITY_HOST: z.string().min(1).optional(),
  MDE_SCOPE: z.string().min(1).optional(),
  MDE_LOOKBACK_HOURS: int(1, 720).default(720),
  MDE_TIMEOUT_MS: int(100, 300_000).default(15_000),
  // the second source, Graph advanced hunting (docs/hunting.md)
  MDE_SOURCE: z.enum(MDE_SOURCES).default('ipstats'),
  GRAPH_BASE_URL: httpsUrl.optional(),
  GRAPH_HUNTING_BATCH_SIZE: int(1, 10_000).default(500),
  GRAPH_HUNTING_AUTO_MIN_IPS: int(1, 100_000).default(20),
  /** A hunting query runs up to 3 minutes (https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting): a longer wait cannot bring an answer. */
  GRAPH_HUNTING_TIMEOUT_MS: int(100, 180_000).default(180_000),
  GRAPH_HUNTING_ACTION_TYPES: list
    .pipe(z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'action types are names like ConnectionSuccess')).min(1))
    .default([...DEFAULT_OUTBOUND_ACTION_TYPES]),

  // refresh-ahead (src/enrich/refresher.ts): budget real misses leave refreshes the most popular entries
  /** Refresh popular entries before they go stale, with budget no real miss wants. */
  CACHE_REFRESH_AHEAD: bool.default(true),
  /** How full (percent) each rate window may be once a refresh counts; always at least one call below its max. */
  CACHE_REFRESH_BUDGET_PERCENT: int(0, 100).default(50),
  /** An entry is due for refresh in this last part (percent) of its fresh life. */
  CACHE_REFRESH_AHEAD_PERCENT: int(1, 90).default(25),

  /**
   * Most alerts the tenant may have pending (queued, deferred for budget, being retried) before new
   * ones are refused (BACKLOG_FULL, HTTP 429): one tenant's flood cannot fill the Redis every tenant
   * shares. 0: no limit.
   */
  TENANT_MAX_PENDING_ALERTS: int(0, 100_000_000).default(20_000),

  // where the tenant's results go: SINKS and each connector's own settings (WEBHOOK_*, SPLUNK_*,
  // SENTINEL_*; see connectors/<name>/descriptor.ts)
  SINKS: list.pipe(z.array(z.enum(SINK_NAMES))).default([]),
  ...connectorSettingsShape(),
});

export const configSchema = z.object({
  ...tenantFields.shape,

  /** `redis+cluster://` or `rediss+cluster://` (any one node) selects a Redis Cluster client. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?(\+cluster)?:\/\//, 'must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL')
    .default('redis://127.0.0.1:6379'),
  IPENRICH_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}:.-]+$/, 'may hold letters, digits and _ { } : . - only')
    .default('ipenrich'),
  IPENRICH_DEFAULT_TENANT: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('default'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTPS_PROXY: httpUrl.optional(),
  NO_PROXY: z.string().optional(),

  // the budget
  MDE_RATE_LIMITS: rateLimits('100/60s,1500/3600s'),
  /** Extra spacing per window to absorb clock skew and network latency between us and Defender. */
  MDE_RATE_SAFETY_MS: int(0, 60_000).default(250),
  /**
   * What Defender counts its limits against, which Microsoft does not document (unconfirmed: get-ip-statistics gives
   * only the limits, https://learn.microsoft.com/en-us/defender-endpoint/api/get-ip-statistics; docs/mssp.md):
   * tenants of ipenrich whose credentials fall in the same scope share one budget (src/config/budget-owners.ts).
   */
  MDE_BUDGET_SCOPE: z.enum(['tenant', 'tenant-app', 'app']).default('tenant'),
  /** The hunting budget per tenant (docs/hunting.md): Graph allows at least 45 queries a minute. */
  GRAPH_HUNTING_LIMITS: rateLimits('45/60s'),
  /** Graph's CPU quota cycle: a 429 without Retry-After pauses hunting until its next boundary. */
  GRAPH_HUNTING_CPU_CYCLE_S: int(1, 86_400).default(900),
  CACHE_TTL_SEEN_S: int(1, 30 * 86_400).default(86_400),
  CACHE_TTL_NOT_SEEN_S: int(1, 30 * 86_400).default(6 * 3_600),
  CACHE_TTL_INVALID_S: int(1, 30 * 86_400).default(7 * 86_400),
  /** How long past its TTL an entry still answers (marked stale) when the budget cannot refetch it in time; 0: never. */
  CACHE_MAX_STALE_S: int(0, 30 * 86_400).default(7 * 86_400),
  /** How long a fresh entry a process read may answer again from its own copy, without Redis; 0: always read Redis. */
  CACHE_LOCAL_TTL_MS: int(0, 60_000).default(5_000),
  /** How long another process waits for a coalesced call before taking it over. */
  COALESCE_LOCK_MS: int(1_000, 600_000).default(30_000),

  // extraction
  EXTRACT_MAX_INPUT_BYTES: int(1_024, 256 * 1_048_576).default(DEFAULT_EXTRACT_OPTIONS.maxInputBytes),
  EXTRACT_MAX_DEPTH: int(1, 1_000).default(DEFAULT_EXTRACT_OPTIONS.maxDepth),
  EXTRACT_MAX_IPS: int(1, 100_000).default(DEFAULT_EXTRACT_OPTIONS.maxIps),
  /** Ranges whose IPs are enriched; the others are listed with status `skipped`. */
  EXTRACT_ENRICH_RANGES: list
    .pipe(z.array(z.enum(IP_RANGES)))
    .default([...DEFAULT_EXTRACT_OPTIONS.enrichRanges]),

  // verdicts
  VERDICT_RARE_MAX_PREVALENCE: int(0, 1_000_000).default(3),
  VERDICT_NEW_WITHIN_HOURS: int(0, 720).default(48),

  // worker
  WORKER_CONCURRENCY: int(1, 1_000).default(8),
  /**
   * Jobs a worker process takes at once while most of its latest ones waited for API budget and
   * another tenant's alert was answered within the last minute (src/queue/budget-starved-throttle.ts).
   * WORKER_CONCURRENCY or more: never fewer.
   */
  WORKER_BUDGET_WAIT_CONCURRENCY: int(1, 1_000).default(2),
  /** After this long waiting for budget, deliver what is known with the rest marked deferred. */
  WORKER_MAX_DEFER_MS: int(0, 7 * 86_400_000).default(15 * 60_000),
  WORKER_SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(30_000),
  JOB_ATTEMPTS: int(1, 100).default(10),
  /** First retry delay of a failed job; later ones grow exponentially with jitter. */
  JOB_BACKOFF_MS: int(1, 3_600_000).default(2_000),
  /** How long a job may wait for budget inside its worker slot before it is deferred instead. */
  WORKER_BUDGET_WAIT_MS: int(0, 60_000).default(2_000),
  /** Job lock; a worker that dies (kill -9) has its jobs picked up by others after about this long. */
  WORKER_LOCK_MS: int(1_000, 600_000).default(30_000),
  /** First retry delay for a sink that is down; doubles per failure, with jitter, up to the cap. */
  SINK_RETRY_BASE_MS: int(1, 3_600_000).default(5_000),
  SINK_RETRY_MAX_DELAY_MS: int(1, 86_400_000).default(30 * 60_000),
  /** After a sink has failed this long for one alert, the job goes to the dead-letter queue. */
  SINK_MAX_RETRY_MS: int(1, 7 * 86_400_000).default(24 * 3_600_000),
  /**
   * How long an alert's deliveries keep its worker slot while other alerts wait for one; then they are
   * aborted and retried on the sink backoff. 0: until they end (each sink's own timeout and retries).
   */
  SINK_SLOT_YIELD_MS: int(0, 600_000).default(2_000),

  // sinks
  // ingress
  INGRESS_HOST: z.string().min(1).default('0.0.0.0'),
  INGRESS_PORT: int(0, 65_535).default(8080),
  /** Comma list of `sha256:<hex>[@tenant]` (or plain keys, hashed at start). */
  INGRESS_API_KEYS: list.default([]),
  INGRESS_INSECURE_NO_AUTH: bool.default(false),
  INGRESS_SYNC_TIMEOUT_MS: int(100, 600_000).default(25_000),
  INGRESS_BODY_LIMIT_BYTES: int(1_024, 64 * 1_048_576).default(1_048_576),
  INGRESS_RATE_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Standard Webhooks secrets (`whsec_…[@tenant]`) of callers that sign their requests instead of sending a key. */
  INGRESS_SIGNING_SECRETS: list.default([]),
  /** Accept the API key as `?token=` on POST /v1/alerts and /v1/enrich (Splunk's webhook action cannot set headers). */
  INGRESS_ALLOW_QUERY_TOKEN: bool.default(false),
  /** Most alerts per POST /v1/alerts and IPs per POST /v1/lookup. */
  INGRESS_MAX_BATCH: int(1, 10_000).default(100),
  /** Public base URL (behind a proxy): status URLs and Location headers become absolute. */
  INGRESS_PUBLIC_URL: httpUrl.optional(),
  /** Longest wait for Redis inside a request before answering 503. */
  INGRESS_REDIS_TIMEOUT_MS: int(50, 60_000).default(2_000),
  /** Longest time a request may take to arrive (headers and body): slow clients are answered 408 and closed. */
  INGRESS_REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /** How often each process adds its metric counts to the shared counters in Redis. */
  METRICS_FLUSH_MS: int(100, 60_000).default(1_000),
}).superRefine((config, ctx) => {
  // On a cluster, BullMQ's Lua scripts and the limiter's touch several keys at once: they must share
  // one slot, which a hash tag in the prefix (`{ipenrich}`) guarantees (docs/deploy.md).
  if (/^rediss?\+cluster:/.test(config.REDIS_URL) && !/^[^{]*\{[^}]+\}/.test(config.IPENRICH_PREFIX)) {
    ctx.addIssue({ code: 'custom', path: ['IPENRICH_PREFIX'], message: 'must hold a hash tag such as {ipenrich} when REDIS_URL is a Redis Cluster' });
  }
});

export type ParsedConfig = z.output<typeof configSchema>;
export type TenantFields = z.output<typeof tenantFields>;

/** Names whose values are secrets: never echoed, always registered for scrubbing. */
export const SECRET_NAMES: readonly string[] = [
  'MDE_CLIENT_SECRET',
  ...CONNECTORS.flatMap((connector): readonly string[] => connector.secrets),
  'INGRESS_API_KEYS',
  'INGRESS_SIGNING_SECRETS',
];

/** Every name the schema knows, for the `NAME_FILE` indirection and the file format. */
export const CONFIG_NAMES: readonly string[] = Object.keys(configSchema.shape);
