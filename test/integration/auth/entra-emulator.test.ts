import { createHash, createPrivateKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransport } from '../../../src/http/transport.js';
import { makeClientCertificate, type ClientCertificateFiles } from '../../../src/emulators/client-certificate.js';
import { verifyEmulatorToken } from '../../../src/emulators/emulator-token.js';
import { startEntraEmulator, type EntraEmulator } from '../../../src/emulators/entra.js';

const SCOPE = 'https://api.securitycenter.microsoft.com/.default';
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The Entra emulator's own contract (contracts.md 2.1–2.5), checked on the wire and with msal-node's stock client. */
describe('Entra ID emulator', () => {
  let entra: EntraEmulator;
  let transport: HttpTransport;
  let app: ClientCertificateFiles;
  const certClient = 'e1e1e1e1-0000-4000-8000-000000000001';

  beforeAll(async () => {
    app = await makeClientCertificate('assertion-tests');
    entra = await startEntraEmulator();
    entra.register({ tenantId: entra.tenantId, clientId: certClient, certificates: [app.certPem] });
    transport = createHttpTransport();
  });
  afterAll(async () => {
    await transport.close();
    await entra.close();
  });

  async function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await transport.request({
      method: 'POST',
      url: `${entra.tokenEndpoint()}?client-request-id=abc`,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE, 'x-client-SKU': 'test', ...fields }).toString(),
    });
    return { status: response.status, body: JSON.parse(response.body.toString()) as Record<string, unknown> };
  }

  function assertion(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key = app.keyPem): string {
    const thumbprint = createHash('sha1').update(new X509Certificate(app.certPem).raw).digest('base64url');
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const input = `${encode({ alg: 'RS256', typ: 'JWT', x5t: thumbprint, ...header })}.${encode({
      aud: entra.tokenEndpoint(),
      iss: certClient,
      sub: certClient,
      nbf: now,
      exp: now + 600,
      jti: 'j1',
      ...claims,
    })}`;
    return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(key)).toString('base64url')}`;
  }

  const withAssertion = (jwt: string) => ({ client_id: certClient, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt });

  it('msal-node with its own fetch client and knownAuthorities only: discovery GET, then the token POST', async () => {
    const before = entra.counters.openIdConfigRequests;
    const cca = new ConfidentialClientApplication({
      auth: { clientId: entra.clientId, clientSecret: entra.clientSecret, authority: `https://${entra.host}/${entra.tenantId}`, knownAuthorities: [entra.host] },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [SCOPE] });
    expect(verifyEmulatorToken(result?.accessToken ?? '', entra.tokenSigningKey).ok).toBe(true);
    expect(entra.counters.openIdConfigRequests - before).toBe(1);
  });

  it('serves the OpenID configuration at both paths msal-node may use', async () => {
    for (const path of ['v2.0/.well-known/openid-configuration', '.well-known/openid-configuration']) {
      const response = await transport.request({ method: 'GET', url: `${entra.url}/${entra.tenantId}/${path}` });
      const body = JSON.parse(response.body.toString()) as Record<string, string>;
      expect(body.token_endpoint).toBe(entra.tokenEndpoint());
      for (const field of ['authorization_endpoint', 'issuer', 'jwks_uri']) expect(body[field]).toMatch(/^https:\/\/127\.0\.0\.1:/);
    }
  });

  it('accepts a client secret in the form or as Basic auth; expires_in 3599', async () => {
    const form = await tokenRequest({ client_id: entra.clientId, client_secret: entra.clientSecret });
    expect(form).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3599 } });
    const basic = await tokenRequest({}, { authorization: `Basic ${Buffer.from(`${entra.clientId}:${entra.clientSecret}`).toString('base64')}` });
    expect(basic.status).toBe(200);
  });

  it('accepts a valid RS256 assertion signed by the registered certificate', async () => {
    const response = await tokenRequest(withAssertion(assertion({})));
    expect(response.status).toBe(200);
  });

  /** A valid assertion whose payload was changed after signing (its signature no longer matches). */
  function tampered(): string {
    const [header = '', payload = '', signature = ''] = assertion({}).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    return `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 86_400 })).toString('base64url')}.${signature}`;
  }

  it.each<[string, number, () => string]>([
    ['a tampered payload', 700027, tampered],
    ['a key that is not the certificate’s', 700027, () => assertion({}, {}, strangerKey)],
    ['an expired assertion', 700024, () => assertion({ exp: Math.floor(Date.now() / 1000) - 3_600, nbf: Math.floor(Date.now() / 1000) - 4_000 })],
    ['another audience', 50013, () => assertion({ aud: 'https://login.microsoftonline.com/other/oauth2/v2.0/token' })],
    ['another issuer', 700021, () => assertion({ iss: 'someone-else', sub: 'someone-else' })],
    ['a thumbprint of no registered certificate', 700027, () => assertion({}, { x5t: 'AAAA' })],
    ['garbage', 50027, () => 'not.a.jwt'],
  ])('refuses %s with AADSTS%i', async (_label, aadsts, make) => {
    const response = await tokenRequest(withAssertion(make()));
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client', error_codes: [aadsts] });
    expect(String(response.body.error_description)).toMatch(new RegExp(`^AADSTS${aadsts}: [^\\r]+\\r\\nTrace ID: `));
  });

  it.each([
    ['an unsupported grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ['several resources in the scope', { scope: `${SCOPE} https://monitor.azure.com/.default` }, 400, 'invalid_scope', 1002012],
    ['a scope without /.default', { scope: 'https://api.securitycenter.microsoft.com/Ip.Read.All' }, 400, 'invalid_scope', 1002012],
  ])('refuses %s', async (_label, fields, status, error, aadsts) => {
    const response = await tokenRequest({ client_id: entra.clientId, client_secret: entra.clientSecret, ...fields });
    expect(response).toMatchObject({ status, body: { error, error_codes: [aadsts] } });
  });
});
