import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/emulators/webhook-receiver.js';

/** Customers with a webhook receiver each, and the IPENRICH_CONFIG file that gives each its own. */
export interface TenantWebhooks {
  readonly receivers: ReadonlyMap<string, WebhookReceiver>;
  /** The IPENRICH_CONFIG file: per tenant SINKS=webhook, its receiver's URL and secret, and `settings`. */
  readonly configFile: string;
  close(): Promise<void>;
}

export async function startTenantWebhooks(tenants: readonly string[], settings: Record<string, string> = {}): Promise<TenantWebhooks> {
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
