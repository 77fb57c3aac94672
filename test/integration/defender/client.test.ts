import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorTokenSource } from '../../support/emulator-token-source.js';
import { DefenderIpStatsClient } from '../../../src/enrich/defender/client.js';
import { ipStatsRecordSchema } from '../../../src/enrich/ip-stats.js';
import { isIpenrichError, type IpenrichError } from '../../../src/errors.js';
import { createHttpTransport, type HttpTransport } from '../../../src/http/transport.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { waitFor } from '../../support/cli-process.js';

async function failure(promise: Promise<unknown>): Promise<IpenrichError> {
  try {
    await promise;
  } catch (error) {
    if (isIpenrichError(error)) return error;
    throw error;
  }
  throw new Error('expected the lookup to fail');
}

const envelope = (code: string, message: string) => ({ error: { code, message, target: 'f00dfeed-0000-4000-8000-000000000000' } });

describe('DefenderIpStatsClient against the emulators, tokens from msal-node', () => {
  let emulators: Emulators;
  let transport: HttpTransport;
  let client: DefenderIpStatsClient;

  const makeClient = (overrides: { timeoutMs?: number; baseUrl?: string; clientId?: string; clientSecret?: string } = {}): DefenderIpStatsClient =>
    new DefenderIpStatsClient({
      settings: { MDE_CLOUD: 'commercial', MDE_API_BASE_URL: overrides.baseUrl ?? emulators.defender.url, MDE_TIMEOUT_MS: overrides.timeoutMs ?? 2_000 },
      tokens: emulatorTokenSource(emulators, transport, overrides),
      transport,
    });

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { rateLimits: '1000/1s' } });
    transport = createHttpTransport();
  });
  // A client per test: tests that revoke tokens must not leave another test's client with a dead one.
  beforeEach(() => {
    client = makeClient();
  });
  afterAll(async () => {
    await transport.close();
    await emulators.close();
  });
  afterEach(() => {
    emulators.defender.setMode({ variant: 'current', hangRate: 0, serverErrorRate: 0, rejectAllTokens: false, latencyMs: 0 });
    emulators.defender.resetCounters();
    emulators.entra.resetCounters();
  });

  const seenFacts = { prevalence: 42, firstSeen: '2026-01-02T03:04:05Z', lastSeen: '2026-01-10T11:12:13Z' };
  const unseenFacts = { prevalence: 0, firstSeen: null, lastSeen: null };

  it('current shape: organizationPrevalence as a number, normalized', async () => {
    emulators.defender.setIpStats('203.0.113.10', seenFacts);
    const record = await client.getIpStats({ ip: '203.0.113.10', lookBackHours: 48 });
    expect(ipStatsRecordSchema.parse(record)).toEqual(record);
    expect(record).toMatchObject({
      ip: '203.0.113.10',
      prevalence: 42,
      firstSeen: '2026-01-02T03:04:05.000Z',
      lastSeen: '2026-01-10T11:12:13.000Z',
      seen: true,
      lookBackHours: 48,
    });
    expect(emulators.defender.counters.callsPerIp['203.0.113.10']).toBe(1);
  });

  it('current shape: an unseen IP is 200 with prevalence 0 → seen false', async () => {
    emulators.defender.setIpStats('203.0.113.11', unseenFacts);
    expect(await client.getIpStats({ ip: '203.0.113.11', lookBackHours: 720 })).toMatchObject({ prevalence: 0, seen: false, firstSeen: null, lastSeen: null });
    expect(emulators.defender.counters.statusCounts['200']).toBe(1);
  });

  it('older shape: orgPrevalence as a string', async () => {
    emulators.defender.setMode({ variant: 'legacy' });
    emulators.defender.setIpStats('203.0.113.12', seenFacts);
    expect(await client.getIpStats({ ip: '203.0.113.12', lookBackHours: 720 })).toMatchObject({ prevalence: 42, seen: true });
  });

  it('older shape: an unseen IP is 404 ResourceNotFound → seen false', async () => {
    emulators.defender.setMode({ variant: 'legacy' });
    emulators.defender.setIpStats('203.0.113.13', unseenFacts);
    expect(await client.getIpStats({ ip: '203.0.113.13', lookBackHours: 720 })).toMatchObject({ prevalence: 0, seen: false });
    expect(emulators.defender.counters.statusCounts['404']).toBe(1);
  });

  it('IPv6 in canonical form goes into the path as is', async () => {
    const record = await client.getIpStats({ ip: '2001:db8::1', lookBackHours: 720 });
    expect(record.ip).toBe('2001:db8::1');
    expect(emulators.defender.counters.callsPerIp['2001:db8::1']).toBe(1);
  });

  it('refuses a non-canonical IP without calling Defender', async () => {
    for (const ip of ['2001:DB8::1', '2001:db8:0:0:0:0:0:1', '010.1.1.1', ' 1.2.3.4', '1.2.3.4/32', 'example.com']) {
      expect((await failure(client.getIpStats({ ip, lookBackHours: 720 }))).code).toBe('INVALID_IP');
    }
    expect(emulators.defender.counters.totalCalls).toBe(0);
    expect(emulators.entra.counters.tokenRequests).toBe(0);
  });

  it('401 → exactly one forced token refresh and one retry, which succeeds', async () => {
    await client.getIpStats({ ip: '198.51.100.1', lookBackHours: 720 });
    expect(emulators.entra.counters.tokenRequests).toBe(1);
    emulators.defender.revokeTokensSeen();
    const record = await client.getIpStats({ ip: '198.51.100.2', lookBackHours: 720 });
    expect(record.ip).toBe('198.51.100.2');
    expect(emulators.entra.counters.tokenRequests).toBe(2);
    expect(emulators.defender.counters).toMatchObject({ totalCalls: 3, unauthorized: 1, tokensSeen: 2 });
  });

  it('401 again after the refresh → MDE_UNAUTHORIZED, after two calls and one refresh', async () => {
    emulators.defender.setMode({ rejectAllTokens: true });
    const error = await failure(client.getIpStats({ ip: '198.51.100.3', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_UNAUTHORIZED', retryable: false, statusCode: 401 });
    expect(emulators.defender.counters.totalCalls).toBe(2);
    expect(emulators.entra.counters.tokenRequests).toBe(2);
  });

  it('403 from a token without Ip.Read.All → MDE_FORBIDDEN naming the permission', async () => {
    emulators.entra.register({ tenantId: emulators.entra.tenantId, clientId: 'd0d0d0d0-0000-4000-8000-000000000001', secrets: ['no-roles-secret'], roles: [] });
    const error = await failure(makeClient({ clientId: 'd0d0d0d0-0000-4000-8000-000000000001', clientSecret: 'no-roles-secret' }).getIpStats({ ip: '198.51.100.4', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_FORBIDDEN', retryable: false, statusCode: 403 });
    expect(error.message).toMatch(/Ip\.Read\.All application permission .*admin consent/);
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });

  it('400 InvalidIpAddress → MDE_BAD_REQUEST', async () => {
    emulators.defender.respondNext({ status: 400, body: envelope('InvalidIpAddress', 'IP address 192.0.2.1 is invalid.') });
    const error = await failure(client.getIpStats({ ip: '192.0.2.1', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_BAD_REQUEST', retryable: false, statusCode: 400 });
    expect(error.details?.defenderCode).toBe('InvalidIpAddress');
  });

  it('429 with Retry-After in seconds → MDE_THROTTLED with retryAfterMs and the window; not retried', async () => {
    emulators.defender.respondNext({
      status: 429,
      headers: { 'retry-after': '12' },
      body: envelope('TooManyRequests', 'API calls quota exceeded! maximum allowed 1500 per 01:00:00.'),
    });
    const error = await failure(client.getIpStats({ ip: '192.0.2.2', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_THROTTLED', retryable: true, statusCode: 429, retryAfterMs: 12_000 });
    expect(error.details?.window).toEqual({ max: 1500, windowMs: 3_600_000, text: '01:00:00' });
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });

  it('429 with Retry-After as an HTTP date → retryAfterMs until that date', async () => {
    emulators.defender.respondNext({ status: 429, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }, body: envelope('TooManyRequests', 'slow down') });
    const error = await failure(client.getIpStats({ ip: '192.0.2.3', lookBackHours: 720 }));
    expect(error.code).toBe('MDE_THROTTLED');
    // HTTP dates have whole seconds, so up to one second less than asked.
    expect(error.retryAfterMs).toBeGreaterThan(58_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('the emulator’s own multi-window limit produces the same typed error', async () => {
    const { startDefenderEmulator } = await import('../../../src/emulators/defender.js');
    const strict = await startDefenderEmulator({ tokenSigningKey: emulators.entra.tokenSigningKey, rateLimits: '3/2s,100/1h', mode: { retryAfterFormat: 'http-date' } });
    try {
      const strictClient = makeClient({ baseUrl: strict.url });
      for (let i = 0; i < 3; i += 1) await strictClient.getIpStats({ ip: `192.0.2.${10 + i}`, lookBackHours: 720 });
      const error = await failure(strictClient.getIpStats({ ip: '192.0.2.20', lookBackHours: 720 }));
      expect(error.code).toBe('MDE_THROTTLED');
      expect(error.details?.window).toEqual({ max: 3, windowMs: 2_000, text: '00:00:02' });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(4_000);
      expect(strict.counters).toMatchObject({ totalCalls: 4, throttled: 1 });
    } finally {
      await strict.close();
    }
  });

  it.each([500, 502, 503])('%i → MDE_SERVER_ERROR, retryable, not retried by the client', async (status) => {
    emulators.defender.respondNext({ status, body: envelope('InternalServerError', '') });
    const error = await failure(client.getIpStats({ ip: '192.0.2.4', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_SERVER_ERROR', retryable: true, statusCode: status });
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });

  it('a 2xx body of neither shape → MDE_BAD_RESPONSE', async () => {
    emulators.defender.respondNext({ status: 200, body: { ipAddress: '192.0.2.5', devices: 3 } }, { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' });
    expect((await failure(client.getIpStats({ ip: '192.0.2.5', lookBackHours: 720 }))).code).toBe('MDE_BAD_RESPONSE');
    const notJson = await failure(client.getIpStats({ ip: '192.0.2.5', lookBackHours: 720 }));
    expect(notJson.code).toBe('MDE_BAD_RESPONSE');
    expect(notJson.message).toMatch(/not JSON/);
  });

  it('a redirect is not followed with the token → MDE_BAD_RESPONSE naming the target', async () => {
    emulators.defender.respondNext({ status: 302, headers: { location: 'https://elsewhere.example.com/api/ips/192.0.2.6/stats' } });
    const error = await failure(client.getIpStats({ ip: '192.0.2.6', lookBackHours: 720 }));
    expect(error.code).toBe('MDE_BAD_RESPONSE');
    expect(error.message).toContain('elsewhere.example.com');
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });

  it('a 404 is "not seen" only with Defender’s envelope and a not-found code', async () => {
    emulators.defender.respondNext({ status: 404, body: envelope('NotFound', 'Ip 192.0.2.7 was not found') }, { status: 404, body: '<html>Not Found</html>' }, { status: 404, body: '' });
    expect(await client.getIpStats({ ip: '192.0.2.7', lookBackHours: 720 })).toMatchObject({ seen: false, prevalence: 0 });
    expect((await failure(client.getIpStats({ ip: '192.0.2.7', lookBackHours: 720 }))).code).toBe('MDE_BAD_RESPONSE');
    expect((await failure(client.getIpStats({ ip: '192.0.2.7', lookBackHours: 720 }))).code).toBe('MDE_BAD_RESPONSE');
  });

  it('no answer within MDE_TIMEOUT_MS → MDE_TIMEOUT', async () => {
    // The emulator never answers: only the client's 300 ms time-out can end the call.
    emulators.defender.setMode({ hangRate: 1 });
    const error = await failure(makeClient({ timeoutMs: 300 }).getIpStats({ ip: '192.0.2.8', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_TIMEOUT', retryable: true });
    expect(emulators.defender.counters).toMatchObject({ hung: 1, totalCalls: 1, servedCalls: 0 });
  });

  it('a connection failure → MDE_NETWORK', async () => {
    const { startDefenderEmulator } = await import('../../../src/emulators/defender.js');
    const gone = await startDefenderEmulator({ tokenSigningKey: emulators.entra.tokenSigningKey });
    await gone.close();
    const error = await failure(makeClient({ baseUrl: gone.url }).getIpStats({ ip: '192.0.2.9', lookBackHours: 720 }));
    expect(error).toMatchObject({ code: 'MDE_NETWORK', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('the caller’s abort ends the request with the caller’s reason', async () => {
    // The call hangs at Defender and the client's time-out is far off: only the abort, sent once
    // the call has arrived, can end it.
    emulators.defender.setMode({ hangRate: 1 });
    const controller = new AbortController();
    const pending = makeClient({ timeoutMs: 600_000 }).getIpStats({ ip: '192.0.2.21', lookBackHours: 720, signal: controller.signal });
    await waitFor('the call at the Defender emulator', () => emulators.defender.counters.hung === 1, 20_000, 5);
    controller.abort(new Error('worker closing'));
    await expect(pending).rejects.toThrow('worker closing');
    expect(emulators.defender.counters).toMatchObject({ totalCalls: 1, servedCalls: 0 });
  });

  it('sends lookBackHours and refuses values outside 1–720 before any call', async () => {
    emulators.defender.setIpStats('192.0.2.22', seenFacts);
    expect((await client.getIpStats({ ip: '192.0.2.22', lookBackHours: 1 })).lookBackHours).toBe(1);
    for (const lookBackHours of [0, 721, 1.5]) expect((await failure(client.getIpStats({ ip: '192.0.2.22', lookBackHours }))).code).toBe('CONFIG_INVALID');
    expect(emulators.defender.counters.totalCalls).toBe(1);
  });
});
