/**
 * Every Redis key name ipenrich uses is built here, so the layout can be read in one place and a
 * Redis Cluster deployment can hash-tag it: with a prefix like `{ipenrich}` every key shares one slot.
 * BullMQ builds its own queue keys from the same prefix (`<prefix>:<queue>:…`).
 */
export interface KeySpace {
  readonly prefix: string;
  /** BullMQ queue prefix (passed as `prefix` to Queue/Worker). */
  readonly queuePrefix: string;
  /** A BullMQ job's hash (BullMQ's own layout), for scripts that check a job's state. */
  queueJob(queue: string, jobId: string): string;
  /** Sorted set of one tenant's pending jobs of one severity (job id → epoch ms it joined), for fair share. */
  pendingJobs(tenant: string, severity: string): string;
  /** Sorted set of admitted call timestamps for one limiter window of one tenant. */
  limiterWindow(tenant: string, windowMs: number): string;
  /** Shared cooldown set after a 429: value is the epoch ms until which no call may start. */
  limiterCooldown(tenant: string): string;
  /** Epoch ms of the last wake-up time handed to a caller the tenant's budget could not serve. */
  limiterWakeCursor(tenant: string): string;
  /** Sorted set of the misses waiting for budget → their wake-up slot (epoch ms), for one tenant. */
  limiterWakeSlots(tenant: string): string;
  /** Counter of calls admitted by the limiter (for introspection and benchmarks). */
  limiterAdmitted(tenant: string): string;
  /** Sorted set of one tenant's requested cache keys → decayed request count, for refresh-ahead. */
  refreshPopularity(tenant: string): string;
  /** Epoch ms the popularity scores are expressed at (popularity-2.lua). */
  refreshPopularityBase(tenant: string): string;
  /** Lease of the process that refreshes one tenant's entries ahead (at most one at a time). */
  refreshLease(tenant: string): string;
  /** Cached enrichment record for one (tenant, ip, lookBackHours). */
  cacheEntry(tenant: string, ip: string, lookBackHours: number): string;
  /** SCAN pattern matching every cache entry of one tenant. */
  cacheEntryPattern(tenant: string): string;
  /** Hash of cache hit/miss counters. */
  cacheStats(tenant: string): string;
  /** Coalescing lock held by the process that is fetching one key. */
  coalesceLock(tenant: string, ip: string, lookBackHours: number): string;
  /** Pub/sub channel where the fetching process announces a finished key. */
  coalesceChannel(tenant: string, ip: string, lookBackHours: number): string;
  /** Hash of per-sink delivery state of one job. */
  deliveries(jobId: string): string;
  /** Set of parts (rows, batches, comment) one sink already had accepted for one job. */
  deliveryParts(jobId: string, sink: string): string;
  /**
   * Hash of one tenant's last delivery outcomes, fields `<sink>:<fact>`, for `status`. Up to 0.1.0 one
   * hash `<prefix>:sink-health` held every tenant's together; it is no longer read or written.
   */
  sinkHealth(tenant: string): string;
  /** Webhook endpoints disabled after 410 Gone. */
  disabledEndpoints(): string;
  /** The latest content digest of one alert identity (tenant, format, alert id), hashed. */
  alertRevision(identityKey: string): string;
  /** A hash a connector shares across workers (its descriptor names it), e.g. `webhook`, `disabled`. */
  connectorHash(connector: string, name: string): string;
  /** Per-API-key ingress rate limit counter. */
  ingressRate(keyId: string): string;
  /** A signed request's message id, kept while its signature could still verify (replay refusal). */
  ingressReplay(secretId: string, messageIdHash: string): string;
  /** Hash of one shared metric (counter or histogram) that every process adds to; fields are label values. */
  metric(name: string): string;
}

/** Bumped when the cached record's shape changes, so old entries become misses, not errors. */
const CACHE_SCHEMA_VERSION = 1;

export function keySpace(prefix: string): KeySpace {
  const p = prefix;
  return Object.freeze({
    prefix: p,
    queuePrefix: p,
    queueJob: (queue: string, jobId: string) => `${p}:${queue}:${jobId}`,
    pendingJobs: (tenant: string, severity: string) => `${p}:pending:${tenant}:${severity}`,
    limiterWindow: (tenant: string, windowMs: number) => `${p}:limiter:${tenant}:w:${windowMs}`,
    limiterCooldown: (tenant: string) => `${p}:limiter:${tenant}:cooldown`,
    limiterWakeCursor: (tenant: string) => `${p}:limiter:${tenant}:wake`,
    limiterWakeSlots: (tenant: string) => `${p}:limiter:${tenant}:wake-slots`,
    limiterAdmitted: (tenant: string) => `${p}:limiter:${tenant}:admitted`,
    refreshPopularity: (tenant: string) => `${p}:refresh:${tenant}:popularity`,
    refreshPopularityBase: (tenant: string) => `${p}:refresh:${tenant}:popularity-base`,
    refreshLease: (tenant: string) => `${p}:refresh:${tenant}:lease`,
    cacheEntry: (tenant: string, ip: string, lookBackHours: number) =>
      `${p}:cache:v${CACHE_SCHEMA_VERSION}:${tenant}:${lookBackHours}:${ip}`,
    cacheEntryPattern: (tenant: string) => `${p}:cache:v${CACHE_SCHEMA_VERSION}:${tenant}:*`,
    cacheStats: (tenant: string) => `${p}:cache-stats:${tenant}`,
    coalesceLock: (tenant: string, ip: string, lookBackHours: number) => `${p}:coalesce:${tenant}:${lookBackHours}:${ip}`,
    coalesceChannel: (tenant: string, ip: string, lookBackHours: number) =>
      `${p}:coalesce-done:${tenant}:${lookBackHours}:${ip}`,
    deliveries: (jobId: string) => `${p}:deliveries:${jobId}`,
    deliveryParts: (jobId: string, sink: string) => `${p}:deliveries:${jobId}:parts:${sink}`,
    sinkHealth: (tenant: string) => `${p}:sink-health:${tenant}`,
    disabledEndpoints: () => `${p}:webhook:disabled`,
    alertRevision: (identityKey: string) => `${p}:alert-revision:${identityKey}`,
    connectorHash: (connector: string, name: string) => `${p}:${connector}:${name}`,
    ingressRate: (keyId: string) => `${p}:ingress-rate:${keyId}`,
    ingressReplay: (secretId: string, messageIdHash: string) => `${p}:ingress-replay:${secretId}:${messageIdHash}`,
    metric: (name: string) => `${p}:metrics:${name}`,
  });
}
