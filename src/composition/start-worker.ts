import { tenantNamed } from '../config/tenant-named.js';
import { extractIps } from '../extract/index.js';
import type { IpStatsClient } from '../enrich/ip-stats.js';
import { createSharedMetrics } from '../metrics/shared-metrics.js';
import { processAlert, type JourneyDeps, type JourneyOptions } from '../pipeline/process-alert.js';
import { createAlertWorker, type AlertWorker } from '../queue/alert-worker.js';
import { startRetentionSweep } from '../queue/retention-sweep.js';
import { createSlotDemand } from '../queue/slot-demand.js';
import type { AlertResult } from '../result/schema.js';
import { createRedisResultStore } from '../state/job-record.js';
import { SinkHealthBoard } from '../state/sink-health.js';
import { closeConnection } from '../redis/close-connection.js';
import { settleBy } from '../settle-by.js';
import type { Runtime } from './runtime.js';
import { buildSharedParts, type SharedParts } from './shared-parts.js';
import { sinksFromConfig } from './sinks-from-config.js';
import { startRefresherFromConfig } from './refresh-from-config.js';
import { duplicateWithoutAutoPipelining } from '../redis/connection.js';

/** How a worker stopped. */
interface WorkerStop {
  /**
   * Jobs still held when the shutdown timeout ran out: their lock expires and another worker takes
   * them over (stalled-job recovery). Their calls may still be in flight, so sinks and clients are
   * left open: the caller should end the process.
   */
  readonly leftBehind: readonly string[];
}

/** What closing clients and connections may take after the drain; what is not closed by then is dropped. */
export const WORKER_CLOSE_MS = 2_000;

export interface StartedWorker {
  readonly alertWorker: AlertWorker;
  readonly parts: SharedParts;
  /**
   * Graceful: stop taking jobs, let active ones finish within `timeoutMs`, then close BullMQ,
   * metrics, sinks and enricher within `closeMs` more, whatever state Redis and the services are in.
   */
  close(timeoutMs: number, closeMs?: number): Promise<WorkerStop>;
}

export interface WorkerOverrides {
  /** Replaces the Defender clients built from configuration (benchmarks use a counting client). */
  readonly clientFor?: (tenant: string) => IpStatsClient;
  readonly now?: () => number;
}

/** Wires the journey to a BullMQ worker: shared parts, sinks, the job records in Redis, the metrics. */
export async function startWorker(runtime: Runtime, overrides: WorkerOverrides = {}): Promise<StartedWorker> {
  const { config, logger, redis, keys } = runtime;
  const now = overrides.now ?? Date.now;
  const metrics = createSharedMetrics({ redis, keys, flushMs: config.METRICS_FLUSH_MS, logger });
  const parts = buildSharedParts(config, { logger, redis, metrics, ...(overrides.clientFor ? { clientFor: overrides.clientFor } : {}) });
  const sinks = sinksFromConfig(config, { redis, keys, tokens: parts.tokens });
  const extractOptions = {
    maxDepth: config.EXTRACT_MAX_DEPTH,
    maxIps: config.EXTRACT_MAX_IPS,
    maxInputBytes: config.EXTRACT_MAX_INPUT_BYTES,
    enrichRanges: [...config.EXTRACT_ENRICH_RANGES],
  };
  const slotWanted = createSlotDemand(redis, runtime.queue);
  const journey: JourneyDeps = {
    extract: (alert) => extractIps(alert, extractOptions),
    beginEnrich: (tenant, ips, lookBackHours) => {
      const begun = parts.enricher.begin(tenant, ips, lookBackHours);
      return { answeredInProcess: begun.answeredInProcess, finish: (options) => begun.finish({ ...options, slotWanted }) };
    },
    lookBackHoursFor: (tenant) => tenantNamed(config, tenant)?.MDE_LOOKBACK_HOURS ?? config.MDE_LOOKBACK_HOURS,
    policy: { rareMaxPrevalence: config.VERDICT_RARE_MAX_PREVALENCE, newWithinHours: config.VERDICT_NEW_WITHIN_HOURS },
    results: createRedisResultStore(redis, keys),
    destinationsFor: (job) => sinks.destinationsFor(job),
    health: new SinkHealthBoard(redis, keys),
    metrics,
    logger,
    now,
    slotWanted,
  };
  const journeyOptions: JourneyOptions = {
    budgetWaitMs: config.WORKER_BUDGET_WAIT_MS,
    maxDeferMs: config.WORKER_MAX_DEFER_MS,
    sinkRetry: { baseMs: config.SINK_RETRY_BASE_MS, maxDelayMs: config.SINK_RETRY_MAX_DELAY_MS, maxRetryMs: config.SINK_MAX_RETRY_MS },
    sinkSlotYieldMs: config.SINK_SLOT_YIELD_MS,
  };
  // BullMQ's own connection (see openRuntime); the worker duplicates it once more for blocking reads.
  const workerRedis = duplicateWithoutAutoPipelining(redis);
  workerRedis.on('error', () => undefined); // the runtime's connection reports Redis state changes
  const alertWorker = createAlertWorker<AlertResult>({
    connection: workerRedis,
    redis,
    keys,
    handle: (job, attempt) => processAlert(job, attempt, journey, journeyOptions),
    logger,
    options: { concurrency: config.WORKER_CONCURRENCY, budgetWaitConcurrency: config.WORKER_BUDGET_WAIT_CONCURRENCY, lockMs: config.WORKER_LOCK_MS },
  });
  await alertWorker.worker.waitUntilReady();
  const refresher = startRefresherFromConfig(config, {
    redis,
    enricher: parts.enricher,
    logger,
    now,
    onRefresh: (tenant, outcome) => metrics.cacheRefresh(tenant, outcome.kind === 'failed' ? outcome.code : outcome.kind),
  });
  const retention = startRetentionSweep(runtime.queue, logger);
  return {
    alertWorker,
    parts,
    async close(timeoutMs, closeMs = WORKER_CLOSE_MS) {
      retention.stop();
      await refresher?.close(Date.now() + closeMs);
      await alertWorker.drain(Date.now() + timeoutMs);
      const closeBy = Date.now() + closeMs;
      await alertWorker.close(closeBy);
      await metrics.close(Math.max(0, closeBy - Date.now()));
      const leftBehind = alertWorker.heldJobs();
      if (leftBehind.length > 0) {
        // Closing sinks and clients would wait for the abandoned calls. Dropping the queue
        // connection stops its reconnecting, and no abandoned job can be moved on from here.
        workerRedis.disconnect();
        return { leftBehind };
      }
      await settleBy(sinks.close(), closeBy);
      await settleBy(parts.close(), closeBy);
      await closeConnection(workerRedis, closeBy);
      return { leftBehind };
    },
  };
}
