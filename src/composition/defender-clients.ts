import type { TokenSources } from '../auth/token-sources.js';
import type { Config } from '../config/load.js';
import { tenantNamed } from '../config/tenant-named.js';
import { IpenrichError } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';
import type { IpStatsClient } from '../enrich/ip-stats.js';
import { DefenderIpStatsClient } from '../enrich/defender/client.js';

export interface DefenderClients {
  /** The client of a configured tenant (built on first use, then reused with its token cache). */
  clientFor(tenant: string): IpStatsClient;
}

/**
 * Defender clients for every tenant of a configuration, sharing one HTTP transport (proxy, keep-alive)
 * and one token source per distinct credential.
 */
export function createDefenderClients(config: Config, { tokens, transport }: { tokens: TokenSources; transport: HttpTransport }): DefenderClients {
  const clients = new Map<string, IpStatsClient>();
  return {
    clientFor(name) {
      const known = clients.get(name);
      if (known) return known;
      const tenant = tenantNamed(config, name);
      if (!tenant) throw new IpenrichError('CONFIG_INVALID', `unknown tenant "${name}" (configured: ${Object.keys(config.tenants).join(', ')})`);
      const client = new DefenderIpStatsClient({ settings: tenant, tokens: tokens.forTenant(tenant), transport });
      clients.set(name, client);
      return client;
    },
  };
}
