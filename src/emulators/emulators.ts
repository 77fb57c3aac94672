/**
 * Both Microsoft emulators wired together: the Defender emulator accepts exactly the tokens the Entra
 * emulator issues. `env` is what points ipenrich at them (what `ipenrich emulate` prints).
 *
 *   const emulators = await startEmulators({ defender: { rateLimits: '20/1s,100/10s' } });
 *   const config = loadConfig({ ...emulators.env, REDIS_URL });
 *   …
 *   await emulators.close();
 */
import { randomBytes } from 'node:crypto';
import { startDefenderEmulator, type DefenderEmulator, type DefenderEmulatorOptions } from './defender.js';
import { startEntraEmulator, type EntraEmulator, type EntraEmulatorOptions } from './entra.js';
import { startGraphHuntingEmulator, type GraphHuntingEmulator, type GraphHuntingEmulatorOptions } from './graph-hunting.js';

export interface Emulators {
  readonly entra: EntraEmulator;
  readonly defender: DefenderEmulator;
  /** Graph advanced hunting over the same synthetic organization as `defender`. */
  readonly graph: GraphHuntingEmulator;
  /** MDE_AUTHORITY_HOST, MDE_API_BASE_URL, GRAPH_BASE_URL, MDE_TENANT_ID, MDE_CLIENT_ID, MDE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface EmulatorsOptions {
  readonly entra?: Omit<EntraEmulatorOptions, 'tokenSigningKey'>;
  readonly defender?: Omit<DefenderEmulatorOptions, 'tokenSigningKey'>;
  readonly graph?: Omit<GraphHuntingEmulatorOptions, 'tokenSigningKey' | 'seed' | 'anchorMs'>;
}

export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const tokenSigningKey = randomBytes(32);
  const entra = await startEntraEmulator({ ...options.entra, tokenSigningKey });
  // One organization for both sources: same seed, same "now" for the synthetic dates.
  const seed = options.defender?.seed ?? 'ipenrich';
  const anchorMs = options.defender?.anchorMs ?? Math.floor((options.defender?.clock ?? Date.now)() / 3_600_000) * 3_600_000;
  let defender: DefenderEmulator;
  let graph: GraphHuntingEmulator;
  try {
    defender = await startDefenderEmulator({ ...options.defender, seed, anchorMs, tokenSigningKey });
  } catch (error) {
    await entra.close();
    throw error;
  }
  try {
    graph = await startGraphHuntingEmulator({ ...options.graph, seed, anchorMs, tokenSigningKey });
  } catch (error) {
    await Promise.all([entra.close(), defender.close()]);
    throw error;
  }
  return {
    entra,
    defender,
    graph,
    env: {
      MDE_AUTHORITY_HOST: entra.host,
      MDE_API_BASE_URL: defender.url,
      GRAPH_BASE_URL: graph.url,
      MDE_TENANT_ID: entra.tenantId,
      MDE_CLIENT_ID: entra.clientId,
      MDE_CLIENT_SECRET: entra.clientSecret,
      NODE_EXTRA_CA_CERTS: entra.tls.certPath,
    },
    async close() {
      await Promise.all([entra.close(), defender.close(), graph.close()]);
    },
  };
}
