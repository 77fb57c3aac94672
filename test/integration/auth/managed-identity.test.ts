import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MsalTokenSource } from '../../../src/auth/msal-token-source.js';
import { createHttpTransport, type HttpTransport } from '../../../src/http/transport.js';
import { verifyEmulatorToken } from '../../../src/emulators/emulator-token.js';
import { startEntraEmulator, type EntraEmulator } from '../../../src/emulators/entra.js';

/**
 * Managed identity through msal-node's App Service source: msal reads IDENTITY_ENDPOINT and
 * IDENTITY_HEADER from the environment (as on Azure App Service / Functions / Container Apps) and
 * caches the source for the process, hence this file of its own.
 */
describe('MsalTokenSource with a managed identity', () => {
  let entra: EntraEmulator;
  let transport: HttpTransport;
  const userAssigned = 'aaaaaaaa-0000-4000-8000-00000000000a';
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    entra = await startEntraEmulator({ managedIdentity: { clientIds: ['5a5a5a5a-0000-4000-8000-000000000001', userAssigned] } });
    process.env.IDENTITY_ENDPOINT = entra.managedIdentityEndpoint;
    process.env.IDENTITY_HEADER = entra.managedIdentityHeader;
    transport = createHttpTransport();
  });
  afterAll(async () => {
    process.env.IDENTITY_ENDPOINT = saved.endpoint;
    process.env.IDENTITY_HEADER = saved.header;
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    await transport.close();
    await entra.close();
  });

  it('system-assigned: a Defender token from the identity endpoint, cached, refreshed on demand', async () => {
    const tokens = new MsalTokenSource({ tenantName: 'default', credential: { kind: 'managed-identity', clientId: undefined }, cloud: 'commercial', transport, timeoutMs: 5_000 });
    const token = await tokens.getAccessToken('https://api.securitycenter.microsoft.com/.default');
    const check = verifyEmulatorToken(token.token, entra.tokenSigningKey);
    expect(check.ok && check.claims).toMatchObject({ aud: 'https://api.securitycenter.microsoft.com', appid: entra.managedIdentityClientId, roles: ['Ip.Read.All'] });
    expect((await tokens.getAccessToken('https://api.securitycenter.microsoft.com/.default')).token).toBe(token.token);
    expect(entra.counters.managedIdentityRequests).toBe(1);
    await tokens.getAccessToken('https://api.securitycenter.microsoft.com/.default', { forceRefresh: true });
    expect(entra.counters.managedIdentityRequests).toBe(2);
  });

  it('user-assigned: asks for the identity named by MDE_MANAGED_IDENTITY', async () => {
    const tokens = new MsalTokenSource({ tenantName: 'default', credential: { kind: 'managed-identity', clientId: userAssigned }, cloud: 'commercial', transport, timeoutMs: 5_000 });
    const check = verifyEmulatorToken((await tokens.getAccessToken('https://api.securitycenter.microsoft.com/.default')).token, entra.tokenSigningKey);
    expect(check.ok && check.claims.appid).toBe(userAssigned);
  });

  it('an identity not assigned to this host is a non-retryable AUTH_FAILED', async () => {
    const tokens = new MsalTokenSource({
      tenantName: 'default',
      credential: { kind: 'managed-identity', clientId: 'bbbbbbbb-0000-4000-8000-00000000000b' },
      cloud: 'commercial',
      transport,
      timeoutMs: 5_000,
    });
    const error: unknown = await tokens.getAccessToken('https://api.securitycenter.microsoft.com/.default').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect((error as Error).message).toMatch(/No managed identity with client id bbbbbbbb-.* is assigned.*Hint: is a managed identity assigned to this host/);
  });
});
