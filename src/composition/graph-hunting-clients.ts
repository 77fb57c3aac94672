import type { TokenSources } from '../auth/token-sources.js';
import type { Config } from '../config/load.js';
import { tenantNamed } from '../config/tenant-named.js';
import { IpenrichError } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';
import type { HuntingClient } from '../enrich/hunting/hunting-client.js';
import { GraphHuntingClient } from '../enrich/hunting/graph-hunting-client.js';

/**
 * Graph advanced hunting clients for every tenant of a configuration: each with the tenant's own
 * credential (the same token source as its Defender client, asking for Graph's scope), over the one
 * HTTP transport.
 */
export function createGraphHuntingClients(config: Config, { tokens, transport }: { tokens: TokenSources; transport: HttpTransport }): (tenant: string) => HuntingClient {
  const clients = new Map<string, HuntingClient>();
  return (name) => {
    const known = clients.get(name);
    if (known) return known;
    const tenant = tenantNamed(config, name);
    if (!tenant) throw new IpenrichError('CONFIG_INVALID', `unknown tenant "${name}" (configured: ${Object.keys(config.tenants).join(', ')})`);
    const client = new GraphHuntingClient({ settings: tenant, tokens: tokens.forTenant(tenant), transport });
    clients.set(name, client);
    return client;
  };
}
