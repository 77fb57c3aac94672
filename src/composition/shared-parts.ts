import { createTokenSources, type TokenSources } from '../auth/token-sources.js';
import type { Config } from '../config/load.js';
import type { EnrichMetrics, Enricher } from '../enrich/enricher.js';
import type { IpStatsClient } from '../enrich/ip-stats.js';
import { createHttpTransport, transportOptionsFromConfig, type HttpTransport } from '../http/transport.js';
import type { Logger } from '../log.js';
import { createSharedMetrics } from '../metrics/shared-metrics.js';
import type { Redis } from '../redis/connection.js';
import { keySpace } from '../redis/keys.js';
import { createDefenderClients, type DefenderClients } from './defender-clients.js';
import { createEnricherFromConfig } from './enricher-from-config.js';
import { createGraphHuntingClients } from './graph-hunting-clients.js';
import { createHuntingRouteFromConfig } from './hunting-route-from-config.js';
import type { HuntingMetrics, HuntingRoute } from '../enrich/hunting/hunting-route.js';
import type { HuntingClient } from '../enrich/hunting/hunting-client.js';

/**
 * The parts every command that enriches shares, built one way from configuration: one HTTP transport
 * (proxy, CA, keep-alive), one token source per distinct Entra credential, a Defender client per
 * tenant, and the enricher over the shared cache, coalescing and budget in Redis. The worker, `serve`,
 * `lookup`, `demo` and the benchmarks all get them from here.
 */
export interface SharedParts {
  readonly transport: HttpTransport;
  readonly tokens: TokenSources;
  readonly defender: DefenderClients;
  readonly enricher: Enricher;
  /** The second source (docs/hunting.md): its budget and each tenant's Graph client. */
  readonly hunting: HuntingRoute;
  readonly huntingClientFor: (tenant: string) => HuntingClient;
  /** Closes the enricher, then the clients and the transport (not `redis`: its owner closes it). */
  close(): Promise<void>;
}

export interface SharedPartsOptions {
  readonly logger: Logger;
  /** The enricher's command connection. */
  readonly redis: Redis;
  /**
   * Where API calls, hunting queries, cache hits and limiter waits are counted. Absent: shared
   * counters of their own in Redis (what `status` and /metrics read), flushed on close, so a
   * `lookup`, a `calibrate` or the ingress' /v1/lookup counts like a worker.
   */
  readonly metrics?: EnrichMetrics & Partial<HuntingMetrics>;
  /** Replaces the Defender clients built from configuration (benchmarks use a counting client). */
  readonly clientFor?: (tenant: string) => IpStatsClient;
}

/** Defender without the shared budget: `lookup` when no Redis runs. */
export type DefenderParts = Omit<SharedParts, 'enricher' | 'hunting' | 'huntingClientFor'>;

export function buildDefenderParts(config: Config, logger: Logger): DefenderParts {
  const transport = createHttpTransport(transportOptionsFromConfig(config));
  const tokens = createTokenSources({ transport, logger });
  const defender = createDefenderClients(config, { tokens, transport });
  return { transport, tokens, defender, close: () => transport.close() };
}

export function buildSharedParts(config: Config, options: SharedPartsOptions): SharedParts {
  const { logger } = options;
  const ownMetrics = options.metrics ? undefined : createSharedMetrics({ redis: options.redis, keys: keySpace(config.IPENRICH_PREFIX), flushMs: config.METRICS_FLUSH_MS, logger });
  const metrics = options.metrics ?? ownMetrics;
  const defenderParts = buildDefenderParts(config, logger);
  const clientFor = options.clientFor ?? ((tenant: string) => defenderParts.defender.clientFor(tenant));
  const huntingClientFor = createGraphHuntingClients(config, defenderParts);
  const huntingMetrics = metrics?.huntingCall ? { huntingCall: metrics.huntingCall.bind(metrics) } : undefined;
  const hunting = createHuntingRouteFromConfig(config, options.redis, huntingClientFor, { logger, ...(huntingMetrics ? { metrics: huntingMetrics } : {}) });
  const enricher = createEnricherFromConfig(config, options.redis, clientFor, logger, metrics, hunting);
  return {
    ...defenderParts,
    enricher,
    hunting,
    huntingClientFor,
    async close() {
      await enricher.close();
      await ownMetrics?.close();
      await defenderParts.close();
    },
  };
}
