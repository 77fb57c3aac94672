import { MsalTokenSource } from '../../src/auth/msal-token-source.js';
import type { Emulators } from '../../src/emulators/emulators.js';
import type { HttpTransport } from '../../src/http/transport.js';

/** An app registered in the Entra emulator: by default the emulator's own. */
export interface EmulatorApp {
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** msal-node tokens for an app of the Entra emulator, with a client secret, as the API clients' tests use them. */
export function emulatorTokenSource(emulators: Emulators, transport: HttpTransport, app: EmulatorApp = {}): MsalTokenSource {
  return new MsalTokenSource({
    tenantName: 'default',
    credential: {
      kind: 'secret',
      tenantId: app.tenantId ?? emulators.entra.tenantId,
      clientId: app.clientId ?? emulators.entra.clientId,
      clientSecret: app.clientSecret ?? emulators.entra.clientSecret,
    },
    cloud: 'commercial',
    authorityHost: emulators.entra.host,
    transport,
    timeoutMs: 2_000,
  });
}
