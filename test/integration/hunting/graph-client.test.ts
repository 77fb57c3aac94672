import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emulatorTokenSource } from '../../support/emulator-token-source.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { GraphHuntingClient } from '../../../src/enrich/hunting/graph-hunting-client.js';
import { DEFAULT_OUTBOUND_ACTION_TYPES } from '../../../src/enrich/hunting/sources.js';
import { ipStatsRecordSchema } from '../../../src/enrich/ip-stats.js';
import type { IpenrichError } from '../../../src/errors.js';
import { createHttpTransport, type HttpTransport } from '../../../src/http/transport.js';
import { failure } from '../connectors/support/failure.js';

/** The Graph client against the Graph emulator over real HTTPS, with Entra emulator tokens. */
describe('GraphHuntingClient against the Graph emulator', () => {
  let emulators: Emulators;
  let transport: HttpTransport;

  const makeClient = (overrides: { tenantId?: string; clientId?: string; clientSecret?: string; timeoutMs?: number } = {}): GraphHuntingClient =>
    new GraphHuntingClient({
      settings: {
        MDE_CLOUD: 'commercial',
        GRAPH_BASE_URL: emulators.graph.url,
        GRAPH_HUNTING_TIMEOUT_MS: overrides.timeoutMs ?? 10_000,
        GRAPH_HUNTING_ACTION_TYPES: [...DEFAULT_OUTBOUND_ACTION_TYPES],
      },
      tokens: emulatorTokenSource(emulators, transport, overrides),
      transport,
    });

  beforeAll(async () => {
    emulators = await startEmulators({ graph: { rateLimits: '3/60s' } });
    transport = createHttpTransport();
  });
  afterAll(async () => {
    await transport.close();
    await emulators.close();
  });
  afterEach(() => {
    emulators.graph.setMode({ hangRate: 0, callsRetryAfter: true });
    emulators.graph.resetCounters();
  });

  it('answers every IP of the batch, in order: rows normalized, no row means prevalence 0', async () => {
    emulators.graph.setIpStats('198.51.100.1', { prevalence: 7, firstSeen: '2026-01-02T03:04:05Z', lastSeen: '2026-01-10T11:12:13Z' });
    emulators.graph.setIpStats('198.51.100.2', { prevalence: 0, firstSeen: null, lastSeen: null });
    const records = await makeClient().prevalence({ ips: ['198.51.100.2', '198.51.100.1'], lookBackHours: 48 });
    for (const record of records) expect(ipStatsRecordSchema.parse(record)).toEqual(record);
    expect(records.map((r) => [r.ip, r.prevalence, r.seen, r.firstSeen, r.lastSeen, r.lookBackHours, r.source])).toEqual([
      ['198.51.100.2', 0, false, null, null, 48, 'hunting'],
      ['198.51.100.1', 7, true, '2026-01-02T03:04:05.000Z', '2026-01-10T11:12:13.000Z', 48, 'hunting'],
    ]);
  });

  it('a query never answered times out as HUNTING_UNAVAILABLE (GRAPH_HUNTING_TIMEOUT_MS)', async () => {
    emulators.graph.setMode({ hangRate: 1 });
    const error = await failure(makeClient({ timeoutMs: 300 }).prevalence({ ips: ['192.0.2.9'], lookBackHours: 1 }));
    expect([error.code, error.retryable]).toEqual(['HUNTING_UNAVAILABLE', true]);
    expect(emulators.graph.counters.hung).toBe(1);
  });

  it('45/min (scaled): a 429 for calls, with Retry-After and the limit named', async () => {
    const client = makeClient();
    // The emulator allows 3 a minute here, and the tests above made 2.
    let error: IpenrichError | undefined;
    for (let i = 0; i < 4 && !error; i += 1) error = await client.prevalence({ ips: ['192.0.2.1'], lookBackHours: 1 }).then(() => undefined, (e: unknown) => e as IpenrichError);
    expect([error?.code, error?.details?.limit, error?.statusCode]).toEqual(['HUNTING_THROTTLED', 'calls', 429]);
    expect(error?.retryAfterMs).toBeGreaterThan(0);
    emulators.graph.setMode({ callsRetryAfter: false });
    const without = await failure(client.prevalence({ ips: ['192.0.2.1'], lookBackHours: 1 }));
    expect([without.code, without.retryAfterMs]).toEqual(['HUNTING_THROTTLED', undefined]);
  });

  it('a 504 with an empty message is HUNTING_UNAVAILABLE; rows without the four columns are HUNTING_BAD_RESPONSE', async () => {
    emulators.graph.respondNext({ status: 504, body: { error: { code: 'UnknownError', message: '' } } });
    const empty = await failure(makeClient().prevalence({ ips: ['192.0.2.2'], lookBackHours: 1 }));
    expect([empty.code, empty.statusCode, empty.retryable]).toEqual(['HUNTING_UNAVAILABLE', 504, true]);
    emulators.graph.respondNext({ status: 200, body: { results: [{ IPAddress: '192.0.2.2' }] } });
    const bad = await failure(makeClient().prevalence({ ips: ['192.0.2.2'], lookBackHours: 1 }));
    expect(bad.code).toBe('HUNTING_BAD_RESPONSE');
  });

  /** A client of an Entra tenant of its own: its calls count in a window of their own (the tests above spent the default's). */
  function clientOfItsOwn(n: number): GraphHuntingClient {
    const app = { tenantId: `e0e0e0e0-0000-4000-8000-00000000010${n}`, clientId: `d0d0d0d0-0000-4000-8000-00000000010${n}`, clientSecret: `hunting-${n}` };
    emulators.entra.register({ tenantId: app.tenantId, clientId: app.clientId, secrets: [app.clientSecret], roles: ['ThreatHunting.Read.All'] });
    return makeClient(app);
  }
  const invalidToken = { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } } };

  it('401 → exactly one forced token refresh and one retry, which succeeds', async () => {
    const client = clientOfItsOwn(1);
    await client.prevalence({ ips: ['192.0.2.4'], lookBackHours: 1 });
    const tokensBefore = emulators.entra.counters.tokenRequests;
    emulators.graph.resetCounters();
    emulators.graph.respondNext(invalidToken);
    const records = await client.prevalence({ ips: ['192.0.2.5'], lookBackHours: 1 });
    expect(records.map((r) => [r.ip, r.source])).toEqual([['192.0.2.5', 'hunting']]);
    expect(emulators.entra.counters.tokenRequests - tokensBefore).toBe(1);
    expect(emulators.graph.counters.totalCalls).toBe(2);
  });

  it('401 again after the refresh → HUNTING_REFUSED (not retried by the worker), after two calls and one refresh', async () => {
    const client = clientOfItsOwn(2);
    await client.ready();
    const tokensBefore = emulators.entra.counters.tokenRequests;
    emulators.graph.respondNext(invalidToken, invalidToken);
    const error = await failure(client.prevalence({ ips: ['192.0.2.6'], lookBackHours: 1 }));
    expect([error.code, error.retryable, error.statusCode]).toEqual(['HUNTING_REFUSED', false, 401]);
    expect(error.message).toContain('MDE_CLOUD');
    expect(emulators.entra.counters.tokenRequests - tokensBefore).toBe(1);
    expect(emulators.graph.counters.totalCalls).toBe(2);
  });

  it('without ThreatHunting.Read.All: HUNTING_REFUSED naming the permission', async () => {
    emulators.entra.register({ tenantId: emulators.entra.tenantId, clientId: 'd0d0d0d0-0000-4000-8000-000000000015', secrets: ['ip-only'], roles: ['Ip.Read.All'] });
    const error = await failure(makeClient({ clientId: 'd0d0d0d0-0000-4000-8000-000000000015', clientSecret: 'ip-only' }).prevalence({ ips: ['192.0.2.3'], lookBackHours: 1 }));
    expect([error.code, error.retryable]).toEqual(['HUNTING_REFUSED', false]);
    expect(error.message).toContain('ThreatHunting.Read.All');
  });
});
