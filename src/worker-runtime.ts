import { createEnricherFromConfig } from './enrich/enricher-from-config.js';
import type { Enricher } from './enrich/enricher.js';
import type { IpStatsClient } from './enrich/ip-stats.js';
import { createHttpTransport, transportOptionsFromConfig } from './http/transport.js';
import { createSharedMetrics } from './metrics/shared-metrics.js';
import { createTokenSources } from './auth/token-sources.js';
import { createDefenderClients } from './enrich/defender/clients-from-config.js';
import { describeAlert, extractIps } from './extract/index.js';
import type { PipelineDeps } from './pipeline.js';
import { createAlertWorker, type AlertWorker } from './queue/alert-worker.js';
import type { Runtime } from './runtime.js';
import { sinksFromConfig } from './sinks/sinks-from-config.js';

export interface StartedWorker {
  readonly alertWorker: AlertWorker;
  readonly enricher: Enricher;
  /**
   * Graceful: stop taking jobs, finish active ones within `timeoutMs`, then close sinks and
   * enricher. True when active jobs were handed back (see AlertWorker.close): then their calls are
   * still in flight and connections are left open, for the caller to end the process.
   */
  close(timeoutMs: number): Promise<boolean>;
}

export interface WorkerOverrides {
  /** Replaces the Defender clients built from configuration (benchmarks use a counting client). */
  readonly clientFor?: (tenant: string) => IpStatsClient;
  readonly now?: () => number;
}

/** Extraction, enrichment and verdict settings from configuration, as the pipeline needs them. */
export function pipelineDeps(runtime: Runtime, enricher: Enricher, now: () => number): PipelineDeps {
  const { config } = runtime;
  const extractOptions = {
    maxDepth: config.EXTRACT_MAX_DEPTH,
    maxIps: config.EXTRACT_MAX_IPS,
    maxInputBytes: config.EXTRACT_MAX_INPUT_BYTES,
    enrichRanges: [...config.EXTRACT_ENRICH_RANGES],
  };
  return {
    extract: (alert) => extractIps(alert, extractOptions),
    describe: (alert) => describeAlert(alert),
    enrich: (tenant, ips, options) => enricher.enrich(tenant, ips, options),
    lookBackHoursFor: (tenant) => config.tenants[tenant]?.MDE_LOOKBACK_HOURS ?? config.MDE_LOOKBACK_HOURS,
    policy: { rareMaxPrevalence: config.VERDICT_RARE_MAX_PREVALENCE, newWithinHours: config.VERDICT_NEW_WITHIN_HOURS },
    now,
  };
}

/** Wires a BullMQ worker from configuration: Defender clients, the shared enricher, the sinks. */
export async function startWorker(runtime: Runtime, overrides: WorkerOverrides = {}): Promise<StartedWorker> {
  const { config, logger, redis, keys } = runtime;
  const now = overrides.now ?? Date.now;
  const transport = createHttpTransport(transportOptionsFromConfig(config));
  const defender = createDefenderClients(config, { logger, transport });
  const metrics = createSharedMetrics({ redis, keys, flushMs: config.METRICS_FLUSH_MS, logger });
  const enricher = createEnricherFromConfig(config, redis, overrides.clientFor ?? ((tenant) => defender.clientFor(tenant)), logger, metrics);
  const defaultTenant = config.tenants[config.IPENRICH_DEFAULT_TENANT];
  const sinks = sinksFromConfig(config, {
    redis,
    keys,
    tokens: () => {
      if (!defaultTenant) throw new Error('unreachable: loadConfig always defines the default tenant');
      return createTokenSources({ transport, logger }).forTenant(defaultTenant);
    },
  });
  // BullMQ's own connection (see openRuntime); the worker duplicates it once more for blocking reads.
  const workerRedis = redis.duplicate();
  workerRedis.on('error', () => undefined); // the runtime's connection reports Redis state changes
  const alertWorker = createAlertWorker({
    connection: workerRedis,
    stateRedis: redis,
    keys,
    pipeline: pipelineDeps(runtime, enricher, now),
    targetsFor: (job) => sinks.targetsFor(job),
    logger,
    metrics,
    now,
    options: {
      concurrency: config.WORKER_CONCURRENCY,
      lockMs: config.WORKER_LOCK_MS,
      budgetWaitMs: config.WORKER_BUDGET_WAIT_MS,
      maxDeferMs: config.WORKER_MAX_DEFER_MS,
      sinkRetry: { baseMs: config.SINK_RETRY_BASE_MS, maxDelayMs: config.SINK_RETRY_MAX_DELAY_MS, maxRetryMs: config.SINK_MAX_RETRY_MS },
    },
  });
  await alertWorker.worker.waitUntilReady();
  return {
    alertWorker,
    enricher,
    async close(timeoutMs) {
      const handedBack = await alertWorker.close(timeoutMs);
      await metrics.close();
      // Closing would wait for the abandoned calls, which could still complete jobs whose lock is gone.
      if (handedBack) return true;
      await sinks.close();
      await enricher.close();
      await defender.close();
      await transport.close();
      await workerRedis.quit().catch(() => workerRedis.disconnect());
      return false;
    },
  };
}
