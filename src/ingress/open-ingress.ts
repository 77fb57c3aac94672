import { QueueEvents } from 'bullmq';
import type { Config } from '../config/load.js';
import type { Enricher } from '../enrich/enricher.js';
import type { Logger } from '../log.js';
import { createIngressMetrics } from '../metrics/ingress-metrics.js';
import { pendingLimitOf } from '../config/pending-limit.js';
import { ALERTS_QUEUE, createAlertsQueue } from '../queue/alerts-queue.js';
import { createRedis } from '../redis/connection.js';
import { watchConnection } from '../redis/connection-watch.js';
import { keySpace } from '../redis/keys.js';
import { createRedisAlertRevisions } from '../state/alert-revisions.js';
import { readPendingDeliveries, readStoredResult } from '../state/job-record.js';
import { callbackCheckFromConfig, type CallbackCheck } from './callback-check.js';
import { ingressAuthFromConfig } from './ingress-auth.js';
import type { IngressDeps } from './ingress-deps.js';
import type { JobRecords } from './job-view.js';
import { createIngressRateLimit } from './rate-limit.js';
import { createRedisGuard } from './redis-guard.js';
import { createReplayGuard } from './replay-guard.js';
import { createJobWaiter } from './wait-for-job.js';

export interface OpenIngressOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The enricher POST /v1/lookup uses (src/composition builds it; the ingress does not close it). */
  readonly enricher: Enricher;
  /** Tests: callback URL policy without DNS. */
  readonly checkCallback?: CallbackCheck;
  readonly now?: () => number;
}

export interface OpenedIngress {
  readonly deps: IngressDeps;
  /** Resolves once the queue and its event stream are connected (tests, and callers that want a warm start). */
  connected(): Promise<void>;
  /** Closes queue, events and connections; after `timeoutMs` (Redis down) it drops the connections instead. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Connections and services of the ingress. Request paths use a connection that fails fast
 * (no offline queue): while Redis is down a request gets 503 at once instead of waiting, and an
 * alert is never reported queued unless Redis took it. QueueEvents (blocking reads) get a
 * connection of its own that waits out outages; so does the enricher, which its builder owns.
 * Configuration problems (no keys, insecure off loopback) throw CONFIG_INVALID before anything opens.
 */
export function openIngress(options: OpenIngressOptions): OpenedIngress {
  const { config, logger } = options;
  const auth = ingressAuthFromConfig(config);
  const keys = keySpace(config.IPENRICH_PREFIX);

  const redis = createRedis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  watchConnection(redis, logger, 'ingress');
  // These queue commands until connected; the guard still answers 503 at once while `redis` is down.
  const eventsRedis = createRedis(config.REDIS_URL);
  eventsRedis.on('error', () => undefined); // logged once per state change by the watch on `redis`

  const queue = createAlertsQueue(redis, keys);
  queue.on('error', () => undefined);
  const queueEvents = new QueueEvents(ALERTS_QUEUE, { connection: eventsRedis, prefix: keys.queuePrefix });
  queueEvents.on('error', () => undefined);

  const { enricher } = options;
  const metrics = createIngressMetrics({
    redis,
    keys,
    queue,
    tenants: Object.keys(config.tenants),
    pendingLimitOf: pendingLimitOf(config),
    budget: enricher,
    redisTimeoutMs: config.INGRESS_REDIS_TIMEOUT_MS,
  });

  const now = options.now ?? Date.now;
  const results: JobRecords = {
    result: (jobId) => readStoredResult(redis, keys, jobId),
    pendingDeliveries: (jobId) => readPendingDeliveries(redis, keys, jobId),
  };
  const deps: IngressDeps = {
    config,
    logger,
    auth,
    guard: createRedisGuard(redis, config.INGRESS_REDIS_TIMEOUT_MS),
    rateLimit: createIngressRateLimit({ redis, keys, perMinute: config.INGRESS_RATE_PER_MINUTE }),
    replay: createReplayGuard({ redis, keys, now }),
    queue,
    jobs: createJobWaiter(queue, queueEvents, results),
    results,
    enricher,
    metrics,
    checkCallback: options.checkCallback ?? callbackCheckFromConfig(config),
    revisions: createRedisAlertRevisions(redis, keys),
    ready: async () => {
      await redis.ping();
      await queue.getJobCounts('waiting');
    },
    now,
  };

  return {
    deps,
    async connected() {
      await Promise.all([queue.waitUntilReady(), queueEvents.waitUntilReady()]);
    },
    async close(timeoutMs = 5_000) {
      const graceful = (async () => {
        await queueEvents.close();
        await queue.close();
        await Promise.all([redis, eventsRedis].map((connection) => connection.quit().catch(() => connection.disconnect())));
      })();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      // With Redis down, closing BullMQ's connections waits for a reconnect that may never come.
      const outcome = await Promise.race([graceful.then(() => 'closed' as const, () => 'closed' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') for (const connection of [redis, eventsRedis]) connection.disconnect();
    },
  };
}
