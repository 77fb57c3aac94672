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
});
