import { createSentinelSink, sentinelOptionsFromConfig } from '../../connectors/sentinel/index.js';
import { createSplunkSink, splunkOptionsFromConfig } from '../../connectors/splunk/index.js';
import {
  createRedisDisabledEndpoints,
  createWebhookSink,
  webhookOptionsFromConfig,
} from '../../connectors/webhook/index.js';
import type { TokenSources } from '../auth/token-sources.js';
import type { Config } from '../config/load.js';
import { IpenrichError } from '../errors.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { Destination } from '../pipeline/ports.js';
import type { AlertJobData } from '../queue/job.js';
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
 * Builds the sinks named in SINKS (each connector validates its own settings and says what is
 * missing). The webhook sink also serves per-alert callback URLs, so it is created whenever a
 * WEBHOOK_SECRET exists, even when `webhook` is not in SINKS. Sentinel authenticates with the
 * default tenant's Entra ID credential.
 */
export function sinksFromConfig(config: Config, deps: { redis: Redis; keys: KeySpace; tokens: TokenSources }): ConfiguredSinks {
  const defaultTenant = config.tenants[config.IPENRICH_DEFAULT_TENANT];
  if (!defaultTenant) throw new IpenrichError('INTERNAL', 'loadConfig always defines the default tenant');
  const sinks = new Map<string, Sink>();
  const webhook = config.WEBHOOK_SECRET === undefined
    ? undefined
    : createWebhookSink(webhookOptionsFromConfig(config), {
        disabledEndpoints: createRedisDisabledEndpoints(deps.redis, deps.keys.disabledEndpoints()),
      });
  for (const name of config.SINKS) {
    switch (name) {
      case 'webhook':
        // webhookOptionsFromConfig refused a missing secret above only when the sink exists.
        sinks.set(name, webhook ?? createWebhookSink(webhookOptionsFromConfig(config)));
        break;
      case 'splunk':
        sinks.set(name, createSplunkSink(splunkOptionsFromConfig(config)));
        break;
      case 'sentinel':
        sinks.set(name, createSentinelSink(sentinelOptionsFromConfig(config), { tokens: deps.tokens.forTenant(defaultTenant) }));
        break;
    }
  }
  return {
    names: [...sinks.keys()],
    destinationsFor(job) {
      const targets: Destination[] = [...sinks].map(([name, sink]) => ({ name, sink }));
      if (job.callbackUrl !== undefined) {
        targets.push({ name: 'callback', sink: webhook ?? CALLBACKS_NOT_CONFIGURED, callbackUrl: job.callbackUrl });
      }
      return targets;
    },
    async close() {
      const all = new Set<Sink>(sinks.values());
      if (webhook) all.add(webhook);
      await Promise.all([...all].map((sink) => sink.close()));
    },
  };
}
