import { CONNECTORS, type ConnectorName } from '../../connectors/registry.js';
import type { TokenSources } from '../auth/token-sources.js';
import type { Config, TenantConfig } from '../config/load.js';
import { IpenrichError } from '../errors.js';
import type { Destination } from '../pipeline/ports.js';
import type { AlertJobData } from '../queue/job.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { ConnectorDeps } from '../sinks/connector.js';
import type { Sink } from '../sinks/port.js';
import { connectorRateLimiter } from './connector-rate-limiter.js';

/** Stands in for the webhook sink when an alert asks for a callback that cannot be signed. */
const CALLBACKS_NOT_CONFIGURED: Sink = {
  name: 'callback',
  deliver: () => Promise.reject(new IpenrichError('CALLBACK_URL_REFUSED', 'the alert has a callback URL, but no WEBHOOK_SECRET is configured to sign callbacks')),
  close: () => Promise.resolve(),
};

export interface ConfiguredSinks {
  /** Destinations of one job: its tenant's sinks, plus the alert's callback URL when it has one. */
  destinationsFor(job: AlertJobData): Destination[];
  close(): Promise<void>;
}

interface TenantSinks {
  readonly sinks: ReadonlyMap<string, Sink>;
  /** The tenant's webhook sink, which signs per-alert callbacks with the tenant's own secret. */
  readonly callbacks: Sink | undefined;
}

interface SinkDeps {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly tokens: TokenSources;
}

/**
 * The sinks a tenant's alerts are delivered to, in delivery order: its SINKS, its own or inherited
 * from the top level (src/config/load.ts). `ipenrich status` shows these, so it names what workers use.
 */
export function deliveredSinkNames(tenant: Pick<TenantConfig, 'SINKS'>): ConnectorName[] {
  const enabled = new Set<string>(tenant.SINKS);
  return CONNECTORS.filter((connector) => enabled.has(connector.name)).map((connector) => connector.name);
}

/**
 * One tenant's sinks, from its own settings (what it does not set it inherits from the top level:
 * src/config/load.ts). The webhook sink also serves per-alert callback URLs, so it exists whenever
 * the tenant has a WEBHOOK_SECRET, even when `webhook` is not in its SINKS.
 */
function tenantSinks(tenant: TenantConfig, config: Config, deps: SinkDeps): TenantSinks {
  const settings = { ...tenant, HTTPS_PROXY: config.HTTPS_PROXY, NO_PROXY: config.NO_PROXY };
  const connectorDeps = (connector: (typeof CONNECTORS)[number]): ConnectorDeps => ({
    // The connector's own sign-in when its settings name one (Sentinel in another cloud), else the tenant's.
    tokens: () => deps.tokens.forTenant(connector.identity?.(settings) ?? tenant),
    sharedHash: { redis: deps.redis, key: (hash) => deps.keys.connectorHash(connector.name, hash) },
    // Not per tenant: a vendor's limit (ARM writes per subscription) holds whoever calls.
    rateLimiter: (limit, windows) => connectorRateLimiter(deps.redis, deps.keys, `${connector.name}:${limit}`, windows),
  });
  const enabled = new Set<string>(deliveredSinkNames(tenant));
  const sinks = new Map<string, Sink>();
  let callbacks: Sink | undefined;
  for (const connector of CONNECTORS) {
    const wanted = enabled.has(connector.name);
    const signsCallbacks = connector.name === 'webhook' && tenant.WEBHOOK_SECRET !== undefined;
    if (!wanted && !signsCallbacks) continue;
    // The settings were checked when the configuration loaded (src/config/load.ts).
    const sink = connector.sink(settings, connectorDeps(connector));
    if (wanted) sinks.set(connector.name, sink);
    if (signsCallbacks) callbacks = sink;
  }
  return { sinks, callbacks };
}

/**
 * Every tenant's sinks, built through the connector descriptors (connectors/registry.ts). A job is
 * delivered only to its own tenant's destinations, with its tenant's credentials and secrets.
 */
export function sinksFromConfig(config: Config, deps: SinkDeps): ConfiguredSinks {
  const byTenant = new Map<string, TenantSinks>();
  for (const tenant of Object.values(config.tenants)) byTenant.set(tenant.name, tenantSinks(tenant, config, deps));
  return {
    destinationsFor(job) {
      const own = byTenant.get(job.tenant);
      if (!own) throw new IpenrichError('TENANT_UNKNOWN', `the job's tenant "${job.tenant}" is not configured (configured: ${[...byTenant.keys()].join(', ')})`);
      const destinations: Destination[] = [...own.sinks].map(([name, sink]) => ({ name, sink }));
      if (job.callbackUrl !== undefined) {
        destinations.push({ name: 'callback', sink: own.callbacks ?? CALLBACKS_NOT_CONFIGURED, callbackUrl: job.callbackUrl });
      }
      return destinations;
    },
    async close() {
      const all = new Set<Sink>();
      for (const { sinks, callbacks } of byTenant.values()) {
        for (const sink of sinks.values()) all.add(sink);
        if (callbacks) all.add(callbacks);
      }
      await Promise.all([...all].map((sink) => sink.close()));
    },
  };
}
