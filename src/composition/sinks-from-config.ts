import { CONNECTORS } from '../../connectors/registry.js';
import type { TokenSources } from '../auth/token-sources.js';
import type { Config } from '../config/load.js';
import { IpenrichError } from '../errors.js';
import type { Destination } from '../pipeline/ports.js';
import type { AlertJobData } from '../queue/job.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { ConnectorDeps } from '../sinks/connector.js';
import { connectorRateLimiter } from './connector-rate-limiter.js';
import type { Sink } from '../sinks/port.js';

/** Stands in for the webhook sink when an alert asks for a callback that cannot be signed. */
const CALLBACKS_NOT_CONFIGURED: Sink = {
  name: 'callback',
  deliver: () => Promise.reject(new IpenrichError('CALLBACK_URL_REFUSED', 'the alert has a callback URL, but no WEBHOOK_SECRET is configured to sign callbacks')),
  close: () => Promise.resolve(),
};

export interface ConfiguredSinks {
  /** Destinations of one job: every configured sink, plus the alert's callback URL when it has one. */
  destinationsFor(job: AlertJobData): Destination[];
  readonly names: readonly string[];
  close(): Promise<void>;
}

/**
 * Builds the sinks named in SINKS through their descriptors (connectors/registry.ts). The webhook
 * sink also serves per-alert callback URLs, so it is created whenever a WEBHOOK_SECRET exists, even
 * when `webhook` is not in SINKS. Sentinel authenticates with the default tenant's Entra credential.
 */
export function sinksFromConfig(config: Config, deps: { redis: Redis; keys: KeySpace; tokens: TokenSources }): ConfiguredSinks {
  const defaultTenant = config.tenants[config.IPENRICH_DEFAULT_TENANT];
  if (!defaultTenant) throw new IpenrichError('INTERNAL', 'loadConfig always defines the default tenant');
  const connectorDeps = (name: string): ConnectorDeps => ({
    tokens: () => deps.tokens.forTenant(defaultTenant),
    sharedHash: { redis: deps.redis, key: (hash) => deps.keys.connectorHash(name, hash) },
    rateLimiter: (limit, windows) => connectorRateLimiter(deps.redis, deps.keys, `${name}:${limit}`, windows),
  });
  const enabled = new Set<string>(config.SINKS);
  const sinks = new Map<string, Sink>();
  let callbacks: Sink | undefined;
  for (const connector of CONNECTORS) {
    const wanted = enabled.has(connector.name);
    const signsCallbacks = connector.name === 'webhook' && config.WEBHOOK_SECRET !== undefined;
    if (!wanted && !signsCallbacks) continue;
    // The settings were checked when the configuration loaded (src/config/load.ts).
    const sink = connector.sink(config, connectorDeps(connector.name));
    if (wanted) sinks.set(connector.name, sink);
    if (signsCallbacks) callbacks = sink;
  }
  return {
    names: [...sinks.keys()],
    destinationsFor(job) {
      const destinations: Destination[] = [...sinks].map(([name, sink]) => ({ name, sink }));
      if (job.callbackUrl !== undefined) {
        destinations.push({ name: 'callback', sink: callbacks ?? CALLBACKS_NOT_CONFIGURED, callbackUrl: job.callbackUrl });
      }
      return destinations;
    },
    async close() {
      const all = new Set<Sink>(sinks.values());
      if (callbacks) all.add(callbacks);
      await Promise.all([...all].map((sink) => sink.close()));
    },
  };
}
