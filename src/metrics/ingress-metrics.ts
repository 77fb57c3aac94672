import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Enricher } from '../enrich/enricher.js';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { PendingJobs } from '../queue/pending-jobs.js';
import { oldestReadyJobAges } from './queue-age.js';
import { readSharedMetrics } from './read-shared-metrics.js';
import { redisMetricsRegistry, type RedisReadings } from './redis-metrics-registry.js';

/** BullMQ states reported as queue depth. */
const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed', 'waiting-children'] as const;

export interface IngressMetricsOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly queue: AlertsQueue;
  readonly tenants: readonly string[];
  /** TENANT_MAX_PENDING_ALERTS of a tenant (0: no limit). */
  readonly pendingLimitOf: (tenant: string) => number;
  /** Budget per window and cache counters, as the enricher keeps them in Redis. */
  readonly budget: Pick<Enricher, 'limiterStatus' | 'cacheStats'>;
  /** Longest wait for Redis during a scrape; past it the scrape answers with local metrics and redis_up 0. */
  readonly redisTimeoutMs: number;
}

export interface IngressMetrics {
  /** One answered HTTP request; `route` is the route template (never the raw URL, to bound cardinality). */
  request(route: string, method: string, status: number, seconds: number): void;
  alertAccepted(tenant: string, duplicate: boolean): void;
  /** The exposition text: this process' own metrics, then everything read from Redis now. */
  render(): Promise<{ contentType: string; text: string }>;
}

/**
 * The ingress `/metrics`. Its own requests are counted in this process (each replica reports its
 * share, as Prometheus expects). Queue depth and age, budget, cache and the workers' shared counters are
 * read from Redis at scrape time, so they are the same whichever replica is scraped.
 */
export function createIngressMetrics(options: IngressMetricsOptions): IngressMetrics {
  const local = new Registry();
  collectDefaultMetrics({ register: local, prefix: 'ipenrich_ingress_' });
  const requests = new Counter({
    name: 'ipenrich_http_requests_total',
    help: 'HTTP requests answered by this ingress process, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [local],
  });
  const durations = new Histogram({
    name: 'ipenrich_http_request_duration_seconds',
    help: 'Time to answer an HTTP request in this ingress process, by route and method.',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [local],
  });
  const accepted = new Counter({
    name: 'ipenrich_ingress_alerts_total',
    help: 'Alerts this ingress process put on the queue, by tenant and whether the alert was already known (duplicate).',
    labelNames: ['tenant', 'duplicate'],
    registers: [local],
  });

  async function readRedis(): Promise<RedisReadings> {
    const { redis, keys, queue, budget } = options;
    const pending = new PendingJobs(redis, keys);
    const [shared, counts, oldestAgeSeconds, tenants] = await Promise.all([
      readSharedMetrics(redis, keys),
      queue.getJobCounts(...QUEUE_STATES),
      oldestReadyJobAges(queue, Date.now()),
      Promise.all(
        options.tenants.map(async (tenant) => ({
          tenant,
          budget: await budget.limiterStatus(tenant),
          cache: await budget.cacheStats(tenant),
          pending: { alerts: await pending.count(tenant), limit: options.pendingLimitOf(tenant) },
        })),
      ),
    ]);
    return { shared, queue: counts, oldestAgeSeconds, tenants };
  }

  async function readingsWithin(timeoutMs: number): Promise<RedisReadings | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([readRedis().catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    request(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      durations.observe({ route, method }, seconds);
    },
    alertAccepted(tenant, duplicate) {
      accepted.inc({ tenant, duplicate: String(duplicate) });
    },
    async render() {
      const fromRedis = redisMetricsRegistry(await readingsWithin(options.redisTimeoutMs));
      const merged = Registry.merge([local, fromRedis]);
      return { contentType: local.contentType, text: await merged.metrics() };
    },
  };
}
