import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpResponse, type HttpTransport } from '../../../src/http/transport.js';
import { parseRetryAfter } from '../../../src/http/retry-after.js';
import { startDefenderEmulator, type DefenderEmulator } from '../../../src/emulators/defender.js';
import { signEmulatorToken, type EmulatorTokenClaims } from '../../../src/emulators/emulator-token.js';

/** The Defender emulator's own contract (contracts.md 1.1–1.4 and checklist 6.2), on the wire. */
describe('Defender emulator', () => {
  const key = randomBytes(32);
  let defender: DefenderEmulator;
  let transport: HttpTransport;

  const token = (overrides: Partial<EmulatorTokenClaims> = {}, signingKey = key): string => {
    const now = Math.floor(Date.now() / 1000);
    return signEmulatorToken(
      { aud: 'https://api.securitycenter.microsoft.com', iss: 'https://sts.windows.net/t/', tid: 't', appid: 'app', roles: ['Ip.Read.All'], iat: now, nbf: now, exp: now + 3599, jti: randomUUID(), idtyp: 'app', ver: '1.0', ...overrides },
      signingKey,
    );
  };
  /** `null`: no Authorization header at all. */
  const get = (path: string, bearer: string | null = token()): Promise<HttpResponse> =>
    transport.request({ method: 'GET', url: `${defender.url}${path}`, headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
  const json = (response: HttpResponse) => JSON.parse(response.body.toString()) as Record<string, unknown> & { error?: { code: string; message: string; target: string } };

  beforeAll(async () => {
    defender = await startDefenderEmulator({ tokenSigningKey: key, rateLimits: '1000/1s' });
    transport = createHttpTransport();
  });
  afterAll(async () => {
    await transport.close();
    await defender.close();
  });
  afterEach(() => {
    defender.setMode({ variant: 'current', serverErrorRate: 0, latencyMs: 0, hangRate: 0 });
    defender.resetCounters();
    defender.resetLimits();
  });

  it.each([
    ['no token', null],
    ['a token signed with another key', token({}, randomBytes(32))],
    ['an expired token', token({ exp: Math.floor(Date.now() / 1000) - 1 })],
    ['a token for another resource', token({ aud: 'https://monitor.azure.com' })],
  ])('401 Unauthorized envelope for %s', async (_label, bearer) => {
    const response = await get('/api/ips/8.8.8.8/stats', bearer);
    expect(response.status).toBe(401);
    expect(json(response).error).toMatchObject({ code: 'Unauthorized', target: expect.stringMatching(/^[0-9a-f-]{36}$/) as string });
    expect(defender.counters.unauthorized).toBe(1);
  });

  it('403 Forbidden for a token without Ip.Read.All', async () => {
    const response = await get('/api/ips/8.8.8.8/stats', token({ roles: ['Machine.Read.All'] }));
    expect(response.status).toBe(403);
    expect(json(response).error?.message).toContain('Ip.Read.All');
  });

  it('current shape by default: organizationPrevalence number; unseen IP 200 with 0 and null dates', async () => {
    defender.setIpStats('192.0.2.1', { prevalence: 7, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-02T00:00:00Z' });
    defender.setIpStats('192.0.2.2', { prevalence: 0, firstSeen: null, lastSeen: null });
    const seen = json(await get('/api/ips/192.0.2.1/stats?lookBackHours=48'));
    expect(seen).toMatchObject({ ipAddress: '192.0.2.1', organizationPrevalence: 7, orgFirstSeen: '2026-01-01T00:00:00Z', orgLastSeen: '2026-01-02T00:00:00Z' });
    expect(seen['@odata.context']).toMatch(/\$metadata#microsoft\.windowsDefenderATP\.api\.InOrgIPStats$/);
    const unseen = await get('/api/ips/192.0.2.2/stats');
    expect(unseen.status).toBe(200);
    expect(json(unseen)).toMatchObject({ organizationPrevalence: 0, orgFirstSeen: null, orgLastSeen: null });
  });

  it('legacy shape: orgPrevalence string; unseen IP 404 ResourceNotFound', async () => {
    defender.setMode({ variant: 'legacy' });
    defender.setIpStats('192.0.2.3', { prevalence: 63515, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-02T00:00:00Z' });
    defender.setIpStats('192.0.2.4', { prevalence: 0, firstSeen: null, lastSeen: null });
    expect(json(await get('/api/ips/192.0.2.3/stats'))).toMatchObject({ orgPrevalence: '63515' });
    const unseen = await get('/api/ips/192.0.2.4/stats');
    expect(unseen.status).toBe(404);
    expect(json(unseen).error?.code).toBe('ResourceNotFound');
  });

  it('synthetic answers repeat for the same IP', async () => {
    const first = json(await get('/api/ips/203.0.113.50/stats'));
    const second = json(await get('/api/ips/203.0.113.50/stats'));
    expect(second).toEqual(first);
    expect(defender.counters.callsPerIp['203.0.113.50']).toBe(2);
  });

  it('400 InvalidIpAddress for a malformed IP; 400 InvalidInput for lookBackHours outside 1–720', async () => {
    for (const ip of ['999.1.1.1', 'example.com', 'fe80::1%25eth0']) {
      const response = await get(`/api/ips/${ip}/stats`);
      expect(response.status).toBe(400);
      expect(json(response).error?.code).toBe('InvalidIpAddress');
    }
    for (const value of ['0', '721', 'abc']) expect(json(await get(`/api/ips/8.8.8.8/stats?lookBackHours=${value}`)).error?.code).toBe('InvalidInput');
    expect(defender.counters.badRequests).toBe(6);
  });

  it('429 TooManyRequests with Retry-After and the window; refused calls do not use budget', async () => {
    let now = Date.now();
    const strict = await startDefenderEmulator({ tokenSigningKey: key, rateLimits: '2/1s,50/1h', clock: () => now });
    try {
      const bearer = token();
      const call = () => transport.request({ method: 'GET', url: `${strict.url}/api/ips/8.8.8.8/stats`, headers: { authorization: `Bearer ${bearer}` } });
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      const refused = await call();
      expect(refused.status).toBe(429);
      expect(json(refused).error).toMatchObject({ code: 'TooManyRequests', message: expect.stringContaining('maximum allowed 2 per 00:00:01') as string });
      expect(refused.headers['retry-after']).toBe('1');
      expect((await call()).status).toBe(429);
      now += 999;
      expect((await call()).status).toBe(429);
      now += 1;
      expect((await call()).status).toBe(200);
      expect(strict.counters).toMatchObject({ totalCalls: 6, throttled: 3, servedCalls: 3 });
    } finally {
      await strict.close();
    }
  });

  it('limits are per tenant and application', async () => {
    const strict = await startDefenderEmulator({ tokenSigningKey: key, rateLimits: '1/1h' });
    try {
      const call = (bearer: string) => transport.request({ method: 'GET', url: `${strict.url}/api/ips/8.8.8.8/stats`, headers: { authorization: `Bearer ${bearer}` } });
      expect((await call(token({ tid: 'a' }))).status).toBe(200);
      expect((await call(token({ tid: 'b' }))).status).toBe(200);
      expect((await call(token({ tid: 'a', appid: 'other' }))).status).toBe(200);
      const refused = await call(token({ tid: 'a' }));
      expect(refused.status).toBe(429);
      expect(json(refused).error?.message).toContain('maximum allowed 1 per 01:00:00');
    } finally {
      await strict.close();
    }
  });

  it('Retry-After as an HTTP date when asked', async () => {
    const strict = await startDefenderEmulator({ tokenSigningKey: key, rateLimits: '1/1h', mode: { retryAfterFormat: 'http-date' } });
    try {
      const bearer = token();
      const call = () => transport.request({ method: 'GET', url: `${strict.url}/api/ips/8.8.8.8/stats`, headers: { authorization: `Bearer ${bearer}` } });
      await call();
      const refused = await call();
      expect(refused.headers['retry-after']).toMatch(/GMT$/);
      expect(parseRetryAfter(refused.headers['retry-after'])).toBeGreaterThan(3_590_000);
    } finally {
      await strict.close();
    }
  });

  it('fault injection: 5xx rate, latency, hang', async () => {
    defender.setMode({ serverErrorRate: 1, serverErrorStatus: 503 });
    const failed = await get('/api/ips/8.8.8.8/stats');
    expect(failed.status).toBe(503);
    expect(json(failed).error?.code).toBe('InternalServerError');

    defender.setMode({ serverErrorRate: 0, latencyMs: 150 });
    const started = Date.now();
    expect((await get('/api/ips/8.8.8.8/stats')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    defender.setMode({ latencyMs: 0, hangRate: 1 });
    const hung = await transport.request({ method: 'GET', url: `${defender.url}/api/ips/8.8.8.8/stats`, headers: { authorization: `Bearer ${token()}` }, timeoutMs: 200 }).catch((error: unknown) => error);
    expect((hung as { kind?: string }).kind).toBe('timeout');
    expect(defender.counters).toMatchObject({ serverErrors: 1, hung: 1, totalCalls: 3 });
  });

  it('counts distinct tokens and concurrent calls', async () => {
    // Calls that are never answered stay in flight until the client gives up: all three overlap,
    // however slowly they arrive.
    defender.setMode({ hangRate: 1 });
    const bearer = token();
    const controller = new AbortController();
    const calls = [['8.8.8.8', bearer], ['8.8.4.4', bearer], ['1.1.1.1', token()]].map(([ip, auth]) =>
      transport.request({ method: 'GET', url: `${defender.url}/api/ips/${ip}/stats`, headers: { authorization: `Bearer ${auth}` }, signal: controller.signal, timeoutMs: 600_000 }).catch(() => undefined),
    );
    await expect.poll(() => defender.counters.maxInFlight, { timeout: 60_000 }).toBe(3);
    controller.abort();
    await Promise.all(calls);
    expect(defender.counters.tokensSeen).toBe(2);
  });
});
