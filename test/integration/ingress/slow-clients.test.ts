import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';
import { trickleRequest } from './support/trickle-socket.js';

describe('slow clients (a body trickled byte by byte)', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngressHarness({ env: { INGRESS_REQUEST_TIMEOUT_MS: '500' } });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('closes an authenticated request that does not arrive within INGRESS_REQUEST_TIMEOUT_MS (408)', async () => {
    const outcome = await trickleRequest(harness.url, { method: 'POST', path: '/v1/alerts', headers: { authorization: `Bearer ${harness.keys.operator}` } });
    expect(outcome.closedByServer).toBe(true);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);

  it('closes a request that fails authentication at once: 401 with Connection: close, the rest of the body unread', async () => {
    const outcome = await trickleRequest(harness.url, { method: 'POST', path: '/v1/alerts', headers: {} }, 2_000);
    expect(outcome.closedByServer).toBe(true);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 401 /);
    expect(outcome.received).toMatch(/\r\nconnection: close\r\n/i);
    // Closed before the second trickled byte: the 401 did not wait for the body (or the request timeout).
    expect(outcome.bytesSent).toBe(1);
  }, 15_000);
});
