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

export interface Emulators {
  readonly entra: EntraEmulator;
  readonly defender: DefenderEmulator;
  /** MDE_AUTHORITY_HOST, MDE_API_BASE_URL, MDE_TENANT_ID, MDE_CLIENT_ID, MDE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface EmulatorsOptions {
  readonly entra?: Omit<EntraEmulatorOptions, 'tokenSigningKey'>;
  readonly defender?: Omit<DefenderEmulatorOptions, 'tokenSigningKey'>;
}

export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const tokenSigningKey = randomBytes(32);
  const entra = await startEntraEmulator({ ...options.entra, tokenSigningKey });
  let defender: DefenderEmulator;
  try {
    defender = await startDefenderEmulator({ ...options.defender, tokenSigningKey });
  } catch (error) {
    await entra.close();
    throw error;
  }
  return {
    entra,
    defender,
    env: {
      MDE_AUTHORITY_HOST: entra.host,
      MDE_API_BASE_URL: defender.url,
      MDE_TENANT_ID: entra.tenantId,
      MDE_CLIENT_ID: entra.clientId,
      MDE_CLIENT_SECRET: entra.clientSecret,
      NODE_EXTRA_CA_CERTS: entra.tls.certPath,
    },
    async close() {
      await Promise.all([entra.close(), defender.close()]);
    },
  };
}
