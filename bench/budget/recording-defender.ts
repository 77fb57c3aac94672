import { createTokenSources } from '../../src/auth/token-sources.js';
import type { Config, TenantConfig } from '../../src/config/load.js';
import { DefenderIpStatsClient } from '../../src/enrich/defender/client.js';
import { defenderScope } from '../../src/enrich/defender/endpoints.js';
import type { IpStatsClient } from '../../src/enrich/ip-stats.js';
import { createHttpTransport, transportOptionsFromConfig } from '../../src/http/transport.js';

/** The real Defender client of a benchmark process, recording each call it makes. */
export interface RecordingDefender {
  readonly client: IpStatsClient;
  /** Each call: IP and local start time (epoch ms). */
  readonly calls: { ip: string; at: number }[];
  close(): Promise<void>;
}

/**
 * The configured tenant's Defender client (real client, real token source, against the emulators the
 * configuration points at), signed in before it returns: a long-running worker already holds a token,
 * and the benchmarks measure the budget, not the first sign-in.
 */
export async function createRecordingDefender(config: Config, tenant: TenantConfig): Promise<RecordingDefender> {
  const transport = createHttpTransport(transportOptionsFromConfig(config));
  const tokens = createTokenSources({ transport }).forTenant(tenant);
  await tokens.getAccessToken(defenderScope(tenant));
  const defender = new DefenderIpStatsClient({ settings: tenant, tokens, transport });
  const calls: { ip: string; at: number }[] = [];
  return {
    calls,
    client: {
      getIpStats(request) {
        calls.push({ ip: request.ip, at: Date.now() });
        return defender.getIpStats(request);
      },
    },
    close: () => transport.close(),
  };
}
