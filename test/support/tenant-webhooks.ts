import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/composition/runtime.js';
import { startEmulators } from '../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/emulators/webhook-receiver.js';
import { testRedisUrl, uniquePrefix } from './redis.js';
import { startRuntimeWorker } from './runtime-worker.js';

/** Customers with a webhook receiver each, and the IPENRICH_CONFIG file that gives each its own. */
export interface TenantWebhooks {
  readonly receivers: ReadonlyMap<string, WebhookReceiver>;
  /** The IPENRICH_CONFIG file: per tenant SINKS=webhook, its receiver's URL and secret, and `settings`. */
  readonly configFile: string;
  close(): Promise<void>;
}

async function startTenantWebhooks(tenants: readonly string[], settings: Record<string, string> = {}): Promise<TenantWebhooks> {
  const receivers = new Map<string, WebhookReceiver>();
  const config: Record<string, Record<string, string>> = {};
  for (const name of tenants) {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = await startWebhookReceiver({ secret });
    receivers.set(name, receiver);
    config[name] = { SINKS: 'webhook', WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: secret, ...settings };
  }
  const configFile = join(mkdtempSync(join(tmpdir(), 'ipe-tenants-')), 'ipenrich.json');
  writeFileSync(configFile, JSON.stringify({ tenants: config }));
  return {
    receivers,
    configFile,
    close: async () => {
      await Promise.all([...receivers.values()].map((receiver) => receiver.close()));
    },
  };
}

/** A worker as `ipenrich worker` runs it, against the emulators, for customers with a webhook receiver each. */
export interface TenantsWorker {
  readonly webhooks: TenantWebhooks;
  readonly runtime: Runtime;
  close(): Promise<void>;
}

/**
 * `tenants` (the first is the default) with their receivers (`webhook`: settings each tenant gets
 * besides its URL and secret) and a worker on a prefix of its own; `env` adds worker settings.
 * Receivers close first, so a delivery held by one that never answers ends before the worker stops.
 */
export async function startTenantsWorker(
  tenants: readonly [string, ...string[]],
  options: { readonly label: string; readonly webhook?: Record<string, string>; readonly env?: Record<string, string> },
): Promise<TenantsWorker> {
  const emulators = await startEmulators();
  const webhooks = await startTenantWebhooks(tenants, options.webhook);
  const running = await startRuntimeWorker({
    ...emulators.env,
    IPENRICH_CONFIG: webhooks.configFile,
    IPENRICH_DEFAULT_TENANT: tenants[0],
    REDIS_URL: testRedisUrl(),
    IPENRICH_PREFIX: uniquePrefix(options.label),
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  return {
    webhooks,
    runtime: running.runtime,
    async close() {
      await webhooks.close();
      await running.close();
      await emulators.close();
    },
  };
}
