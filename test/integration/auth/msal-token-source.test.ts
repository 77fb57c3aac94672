import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EntraCredential } from '../../../src/auth/credential.js';
import { MsalTokenSource } from '../../../src/auth/msal-token-source.js';
import { parseClientCertificate } from '../../../src/auth/certificate.js';
import { isIpenrichError, type IpenrichError } from '../../../src/errors.js';
import { createHttpTransport, type HttpTransport } from '../../../src/http/transport.js';
import { verifyEmulatorToken } from '../../../src/emulators/emulator-token.js';
import { startEntraEmulator, type EntraEmulator } from '../../../src/emulators/entra.js';
import { makeClientCertificate, type ClientCertificateFiles } from '../../../src/emulators/client-certificate.js';
import { emulatorTls } from '../../../src/emulators/tls.js';
import { waitFor } from '../../support/cli-process.js';

const SCOPE = 'https://api.securitycenter.microsoft.com/.default';

async function failure(promise: Promise<unknown>): Promise<IpenrichError> {
  try {
    await promise;
  } catch (error) {
    if (isIpenrichError(error)) return error;
    throw error;
  }
  throw new Error('expected the token request to fail');
}

describe('MsalTokenSource through msal-node against the Entra emulator', () => {
  let entra: EntraEmulator;
  let transport: HttpTransport;
  let certificate: ClientCertificateFiles;
  let unregistered: ClientCertificateFiles;
  const certClientId = 'c3c3c3c3-0000-4000-8000-000000000001';

  beforeAll(async () => {
    [certificate, unregistered] = await Promise.all([makeClientCertificate('ipenrich-app'), makeClientCertificate('stranger')]);
    entra = await startEntraEmulator();
    entra.register({ tenantId: entra.tenantId, clientId: certClientId, certificates: [certificate.certPem] });
    transport = createHttpTransport();
  });
  afterAll(async () => {
    // The emulator first: it drops the requests it still holds (the time-out test's), which the transport would wait for.
    await entra.close();
    await transport.close();
  });
  afterEach(() => {
    entra.setMode({ failStatus: undefined, retryAfterSeconds: undefined, latencyMs: 0 });
    entra.resetCounters();
  });

  const source = (credential: EntraCredential, authorityHost = entra.host, timeoutMs = 5_000): MsalTokenSource =>
    new MsalTokenSource({ tenantName: 'default', credential, cloud: 'commercial', authorityHost, transport, timeoutMs });
  const secretCredential = (overrides: Partial<{ tenantId: string; clientId: string; clientSecret: string }> = {}): EntraCredential => ({
    kind: 'secret',
    tenantId: entra.tenantId,
    clientId: entra.clientId,
    clientSecret: entra.clientSecret,
    ...overrides,
  });
  const certificateCredential = (files: ClientCertificateFiles, sendX5c = false): EntraCredential => ({
    kind: 'certificate',
    tenantId: entra.tenantId,
    clientId: certClientId,
    certificate: parseClientCertificate(files.bundlePem, 'test'),
    sendX5c,
  });

  it('gets a token with a client secret, with the token POST as the only request', async () => {
    const token = await source(secretCredential()).getAccessToken(SCOPE);
    const check = verifyEmulatorToken(token.token, entra.tokenSigningKey);
    expect(check.ok && check.claims).toMatchObject({ aud: 'https://api.securitycenter.microsoft.com', tid: entra.tenantId, appid: entra.clientId });
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(3_000_000);
    expect(entra.counters).toMatchObject({ tokenRequests: 1, secretRequests: 1, openIdConfigRequests: 0 });
  });

  it('reuses msal-node cache; forceRefresh fetches a new token', async () => {
    const tokens = source(secretCredential());
    const first = await tokens.getAccessToken(SCOPE);
    const second = await tokens.getAccessToken(SCOPE);
    expect(second.token).toBe(first.token);
    expect(entra.counters.tokenRequests).toBe(1);
    const refreshed = await tokens.getAccessToken(SCOPE, { forceRefresh: true });
    expect(refreshed.token).not.toBe(first.token);
    expect(entra.counters.tokenRequests).toBe(2);
    expect((await tokens.getAccessToken(SCOPE)).token).toBe(refreshed.token);
    expect(entra.counters.tokenRequests).toBe(2);
  });

  it('concurrent requests for one scope share one token request', async () => {
    entra.setMode({ latencyMs: 100 });
    const tokens = source(secretCredential());
    const results = await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken(SCOPE)));
    expect(new Set(results.map((result) => result.token)).size).toBe(1);
    expect(entra.counters.tokenRequests).toBe(1);
  });

  it('gets a token with a certificate: PS256 assertion with x5t#S256, verified against the registered certificate', async () => {
    const token = await source(certificateCredential(certificate)).getAccessToken(SCOPE);
    expect(verifyEmulatorToken(token.token, entra.tokenSigningKey).ok).toBe(true);
    expect(entra.counters).toMatchObject({ tokenRequests: 1, assertionRequests: 1, assertionsWithX5c: 0, tokenErrors: 0 });
  });

  it('sends the certificate chain (x5c) when asked', async () => {
    await source(certificateCredential(certificate, true)).getAccessToken(SCOPE);
    expect(entra.counters).toMatchObject({ assertionRequests: 1, assertionsWithX5c: 1, tokensIssued: 1 });
  });

  it('a certificate not registered on the app is AUTH_FAILED AADSTS700027', async () => {
    const error = await failure(source(certificateCredential(unregistered)).getAccessToken(SCOPE));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toMatch(/AADSTS700027 .*certificate is not registered/);
  });

  it('a wrong secret is AUTH_FAILED AADSTS7000215 with a hint, and the secret appears nowhere', async () => {
    const wrong = 'Wr0ng~secret-value-that-must-not-leak';
    const error = await failure(source(secretCredential({ clientSecret: wrong })).getAccessToken(SCOPE));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/AADSTS7000215 \(invalid_client\).*Hint: MDE_CLIENT_SECRET is wrong/);
    const everything = [error.message, JSON.stringify(error), JSON.stringify(error.details), String(error.cause), (error.cause as Error).stack ?? ''].join('\n');
    expect(everything).not.toContain(wrong);
  });

  it.each([
    ['a wrong client id', { clientId: '00000000-0000-4000-8000-0000000000aa' }, 'AUTH_FAILED', 'AADSTS700016'],
    ['a wrong tenant id', { tenantId: '00000000-0000-4000-8000-0000000000bb' }, 'AUTH_FAILED', 'AADSTS90002'],
  ] as const)('%s is %s %s', async (_label, overrides, code, aadsts) => {
    const error = await failure(source(secretCredential(overrides)).getAccessToken(SCOPE));
    expect(error.code).toBe(code);
    expect(error.message).toContain(aadsts);
  });

  it('an app without admin consent is AUTH_CONSENT_REQUIRED AADSTS65001', async () => {
    entra.register({ tenantId: entra.tenantId, clientId: 'c3c3c3c3-0000-4000-8000-000000000002', secrets: ['consent-test-secret'], consented: false });
    const error = await failure(source(secretCredential({ clientId: 'c3c3c3c3-0000-4000-8000-000000000002', clientSecret: 'consent-test-secret' })).getAccessToken(SCOPE));
    expect(error.code).toBe('AUTH_CONSENT_REQUIRED');
    expect(error.message).toMatch(/AADSTS65001.*admin consent/);
  });

  it('a scope for a resource the tenant does not know is AUTH_CONSENT_REQUIRED AADSTS500011', async () => {
    const error = await failure(source(secretCredential()).getAccessToken('https://not-defender.example.com/.default'));
    expect(error.code).toBe('AUTH_CONSENT_REQUIRED');
    expect(error.message).toContain('AADSTS500011');
  });

  it('503 with Retry-After is AUTH_UNAVAILABLE, and the same client works as soon as Entra ID recovers (no msal throttle cache)', async () => {
    const tokens = source(secretCredential());
    entra.setMode({ failStatus: 503, retryAfterSeconds: 30 });
    const error = await failure(tokens.getAccessToken(SCOPE));
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', retryable: true, statusCode: 503, retryAfterMs: 30_000 });
    entra.setMode({ failStatus: 429, retryAfterSeconds: 30 });
    expect((await failure(tokens.getAccessToken(SCOPE))).statusCode).toBe(429);
    entra.setMode({ failStatus: undefined });
    await expect(tokens.getAccessToken(SCOPE)).resolves.toMatchObject({ token: expect.any(String) as string });
    expect(entra.counters.tokenRequests).toBe(3);
  });

  it('an unreachable token endpoint is AUTH_UNAVAILABLE', async () => {
    const closed = await startEntraEmulator();
    const host = closed.host;
    await closed.close();
    const error = await failure(source(secretCredential(), host).getAccessToken(SCOPE));
    expect(error.code).toBe('AUTH_UNAVAILABLE');
    expect(error.message).toMatch(/could not reach the token endpoint \(network\)/);
  });

  it('a token endpoint that never answers is AUTH_UNAVAILABLE after the timeout', async () => {
    // The answer would come only after the test's own time-out: nothing but the 300 ms time-out can end the request.
    entra.setMode({ latencyMs: 60_000 });
    const error = await failure(source(secretCredential(), entra.host, 300).getAccessToken(SCOPE));
    expect(error.code).toBe('AUTH_UNAVAILABLE');
    expect(error.message).toContain('(timeout)');
    expect(entra.counters).toMatchObject({ tokenRequests: 1, tokensIssued: 0 });
  });

  it('works against a server that serves only the token endpoint (no discovery documents)', async () => {
    const tls = await emulatorTls();
    const paths: string[] = [];
    const server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
      paths.push(`${request.method ?? ''} ${request.url ?? ''}`);
      if (request.method === 'POST' && request.url?.startsWith('/my-tenant/oauth2/v2.0/token')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ token_type: 'Bearer', expires_in: '3599', access_token: 'opaque-token-from-elsewhere' }));
        return;
      }
      response.writeHead(404);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const token = await source(secretCredential({ tenantId: 'my-tenant' }), host).getAccessToken(SCOPE);
      expect(token.token).toBe('opaque-token-from-elsewhere');
      expect(paths).toHaveLength(1);
      expect(paths[0]).toMatch(/^POST \/my-tenant\/oauth2\/v2\.0\/token/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('stops waiting when the caller aborts', async () => {
    // Neither an answer nor the source's own time-out can end the request first: only the abort can.
    entra.setMode({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = source(secretCredential(), entra.host, 60_000).getAccessToken(SCOPE, { signal: controller.signal });
    await waitFor('the token request at the emulator', () => entra.counters.tokenRequests === 1, 20_000, 5);
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    expect(entra.counters.tokensIssued).toBe(0);
  });
});
