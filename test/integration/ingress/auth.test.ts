import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';
import { trickleRequest } from './support/trickle-socket.js';

const alert = (): Record<string, unknown> => ({ event: { id: randomUUID(), kind: 'alert' }, source: { ip: '203.0.113.20' } });

function jobTenants(answer: HttpAnswer): string[] {
  return (answer.json as { jobs: { tenant: string }[] }).jobs.map((job) => job.tenant);
}

/** A request signed as docs/playbooks.md says: Standard Webhooks over `{METHOD} {path?query}\n{body}`. */
function signed(secret: string, body: unknown, at = new Date(), target = 'POST /v1/alerts'): { rawBody: string; headers: Record<string, string> } {
  return signedText(secret, JSON.stringify(body), at, target);
}

/** The same over a body given as text (JSON or not). */
function signedText(secret: string, rawBody: string, at = new Date(), target = 'POST /v1/alerts'): { rawBody: string; headers: Record<string, string> } {
  const id = `msg_${randomUUID()}`;
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, `${target}\n${rawBody}`),
    },
  };
}

describe('ingress authentication, tenant binding and signatures', () => {
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  let harness: IngressHarness;
  let redis: Redis;
  let queue: AlertsQueue;

  beforeAll(async () => {
    harness = await startIngressHarness({ env: { INGRESS_ALLOW_QUERY_TOKEN: 'true', INGRESS_SIGNING_SECRETS: `${signingSecret}@contoso` } });
    redis = createRedis(testRedisUrl());
    queue = createAlertsQueue(redis, keySpace(harness.config.IPENRICH_PREFIX));
  });

  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await harness.close();
  });

  it('refuses requests without a valid key, and queues nothing for them', async () => {
    const before = await queue.count();
    const none = await harness.http('POST', '/v1/alerts', { body: alert(), key: null });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(none.json).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await harness.http('POST', '/v1/alerts', { body: alert(), key: `${harness.keys.operator}x` })).status).toBe(401);
    expect((await harness.http('POST', '/v1/alerts', { body: alert(), key: null, headers: { authorization: `Token ${harness.keys.operator}` } })).status).toBe(401);
    expect((await harness.http('GET', '/metrics', { key: null })).status).toBe(401);
    expect(await queue.count()).toBe(before);
  });

  it('accepts the key as a Bearer token or in x-api-key', async () => {
    expect((await harness.http('POST', '/v1/alerts', { body: alert() })).status).toBe(202);
    expect((await harness.http('POST', '/v1/alerts', { body: alert(), key: null, headers: { 'x-api-key': harness.keys.operator } })).status).toBe(202);
  });

  it('binds a customer key to its tenant: implied when absent, 403 for another, nothing queued on refusal', async () => {
    expect(jobTenants(await harness.http('POST', '/v1/alerts', { body: alert(), key: harness.keys.contoso }))).toEqual(['contoso']);
    expect(jobTenants(await harness.http('POST', '/v1/alerts', { body: { alert: alert(), tenant: 'contoso' }, key: harness.keys.contoso }))).toEqual(['contoso']);

    const before = await queue.count();
    const other = await harness.http('POST', '/v1/alerts', { body: [alert(), { alert: alert(), tenant: 'fabrikam' }], key: harness.keys.contoso });
    expect(other.status).toBe(403);
    expect(other.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await harness.http('POST', '/v1/alerts?tenant=fabrikam', { body: alert(), key: harness.keys.contoso })).status).toBe(403);
    expect((await harness.http('POST', '/v1/lookup', { body: { ips: ['203.0.113.1'], tenant: 'fabrikam' }, key: harness.keys.contoso })).status).toBe(403);
    expect(await queue.count()).toBe(before);
  });

  it('lets an operator key act for any configured tenant, and refuses unknown tenants', async () => {
    expect(jobTenants(await harness.http('POST', '/v1/alerts', { body: { alert: alert(), tenant: 'fabrikam' } }))).toEqual(['fabrikam']);
    expect(jobTenants(await harness.http('POST', '/v1/alerts', { body: alert() }))).toEqual(['default']);
    const unknown = await harness.http('POST', '/v1/alerts', { body: { alert: alert(), tenant: 'initech' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: 'TENANT_UNKNOWN' } });
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const reserved = await harness.http('POST', '/v1/alerts', { body: { alert: alert(), tenant: name } });
      expect(reserved.json, name).toMatchObject({ error: { code: 'TENANT_UNKNOWN' } });
      expect((await harness.http('POST', `/v1/alerts?tenant=${name}`, { body: alert() })).json, name).toMatchObject({ error: { code: 'TENANT_UNKNOWN' } });
      expect((await harness.http('POST', '/v1/lookup', { body: { ips: ['203.0.113.1'], tenant: name } })).json, name).toMatchObject({ error: { code: 'TENANT_UNKNOWN' } });
    }
  });

  it('shows a customer only its own tenant\'s jobs, and no operator endpoint', async () => {
    const fabrikamJob = (await harness.http('POST', '/v1/alerts', { body: alert(), key: harness.keys.fabrikam })).json as { jobs: { statusUrl: string }[] };
    const statusUrl = fabrikamJob.jobs[0]?.statusUrl ?? '';
    expect((await harness.http('GET', statusUrl, { key: harness.keys.fabrikam })).status).toBe(202);
    expect((await harness.http('GET', statusUrl)).status).toBe(202);
    const foreign = await harness.http('GET', statusUrl, { key: harness.keys.contoso });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await harness.http('GET', '/metrics', { key: harness.keys.contoso })).status).toBe(403);
  });

  it('takes ?token= on the POST endpoints only (Splunk\'s webhook action), with the same tenant binding', async () => {
    const viaQuery = await harness.http('POST', `/v1/alerts?token=${encodeURIComponent(harness.keys.contoso)}`, { body: alert(), key: null });
    expect(viaQuery.status).toBe(202);
    expect(jobTenants(viaQuery)).toEqual(['contoso']);
    const refused = await harness.http('POST', `/v1/alerts?tenant=fabrikam&token=${encodeURIComponent(harness.keys.contoso)}`, { body: alert(), key: null });
    expect(refused.status).toBe(403);
    const statusUrl = (viaQuery.json as { jobs: { statusUrl: string }[] }).jobs[0]?.statusUrl ?? '';
    expect((await harness.http('GET', `${statusUrl}?token=${encodeURIComponent(harness.keys.contoso)}`, { key: null })).status).toBe(401);
  });

  it('authenticates a caller that signs per Standard Webhooks, bound to the secret\'s tenant', async () => {
    const request = signed(signingSecret, alert());
    const answer = await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: request.headers, key: null });
    expect(answer.status).toBe(202);
    expect(jobTenants(answer)).toEqual(['contoso']);

    const tampered = signed(signingSecret, alert());
    const altered = await harness.http('POST', '/v1/alerts', { rawBody: tampered.rawBody.replace('203.0.113.20', '203.0.113.21'), headers: tampered.headers, key: null });
    expect(altered.status).toBe(401);
    expect(altered.json).toMatchObject({ error: { code: 'UNAUTHORIZED' } });

    const stale = signed(signingSecret, alert(), new Date(Date.now() - 10 * 60_000));
    expect((await harness.http('POST', '/v1/alerts', { rawBody: stale.rawBody, headers: stale.headers, key: null })).status).toBe(401);

    const wrongSecret = signed(`whsec_${randomBytes(32).toString('base64')}`, alert());
    expect((await harness.http('POST', '/v1/alerts', { rawBody: wrongSecret.rawBody, headers: wrongSecret.headers, key: null })).status).toBe(401);
  });

  it('accepts a signed message once: the same webhook-id again is refused as a replay', async () => {
    const request = signed(signingSecret, alert());
    expect((await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: request.headers, key: null })).status).toBe(202);
    const replay = await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: request.headers, key: null });
    expect(replay.status).toBe(401);
    expect(replay.json).toMatchObject({ error: { code: 'SIGNATURE_REPLAYED' } });
    expect(replay.headers.connection).toBe('close');
  });

  it('refuses a webhook-timestamp that is not whole seconds with 401, writing nothing to Redis; the message id stays unused', async () => {
    const replayKeys = async (): Promise<number> => (await redis.keys(`${harness.config.IPENRICH_PREFIX}:ingress-replay:*`)).length;
    const before = await replayKeys();
    const request = signed(signingSecret, alert());
    const seconds = request.headers['webhook-timestamp'] ?? '';
    // The reference library reads each of these with parseInt, so the signature verifies.
    for (const timestamp of [`${seconds}x`, `${seconds}.0`, `${seconds}e0`]) {
      const answer = await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: { ...request.headers, 'webhook-timestamp': timestamp }, key: null });
      expect(answer.status, timestamp).toBe(401);
      expect(answer.json, timestamp).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('webhook-timestamp is not an integer number of seconds') as unknown } });
      // With a key too: the signature must hold all the same.
      expect((await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: { ...request.headers, 'webhook-timestamp': timestamp } })).status, timestamp).toBe(401);
    }
    expect(await replayKeys()).toBe(before);
    expect((await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: request.headers, key: null })).status).toBe(202);
  });

  it('verifies a signature over the raw body before parsing it: a signed request that does not verify gets 401, never a JSON or depth error', async () => {
    const notJson = '{"alert": {"ip": "203.0.113.20"}, oops';
    const tooDeep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const text of [notJson, tooDeep]) {
      // Signed with another secret: it does not verify.
      const { rawBody, headers } = signedText(`whsec_${randomBytes(32).toString('base64')}`, text);
      for (const key of [null, harness.keys.operator]) {
        const answer = await harness.http('POST', '/v1/alerts', { rawBody, headers, key });
        expect(answer.status, `${text.slice(0, 10)} key=${key !== null}`).toBe(401);
        expect(answer.json).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('the signature does not verify') as unknown } });
      }
    }
    // Once verified, the body is parsed and checked as any other.
    const good = signedText(signingSecret, notJson);
    const parsed = await harness.http('POST', '/v1/alerts', { rawBody: good.rawBody, headers: good.headers, key: null });
    expect(parsed.status).toBe(400);
    expect(parsed.json).toMatchObject({ error: { code: 'INPUT_NOT_JSON' } });
  });

  it('refuses a stale or future webhook-timestamp before reading the body', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [seconds, says] of [[now - 10 * 60, 'in the past'], [now + 10 * 60, 'in the future']] as const) {
      const headers = { 'webhook-id': `msg_${randomUUID()}`, 'webhook-timestamp': String(seconds), 'webhook-signature': 'v1,AAAA' };
      const outcome = await trickleRequest(harness.url, { method: 'POST', path: '/v1/alerts', headers }, 2_000);
      expect(outcome.received).toMatch(/^HTTP\/1\.1 401 /);
      expect(outcome.received).toContain(says);
      // Answered before the second trickled byte: the body was not waited for.
      expect(outcome.bytesSent).toBe(1);
    }
  }, 15_000);

  it('binds a signature to its method, path and query: the same signature elsewhere is refused', async () => {
    const request = signed(signingSecret, alert());
    for (const [method, path] of [['POST', '/v1/enrich'], ['POST', '/v1/alerts?tenant=contoso'], ['PUT', '/v1/alerts'], ['POST', '/v1/alerts/']] as const) {
      const moved = await harness.http(method, path, { rawBody: request.rawBody, headers: request.headers, key: null });
      expect(moved.status, `${method} ${path}`).toBe(401);
    }
    // Refusals do not use up the message id: the request where it was signed for still goes through.
    expect((await harness.http('POST', '/v1/alerts', { rawBody: request.rawBody, headers: request.headers, key: null })).status).toBe(202);

    const withQuery = signed(signingSecret, alert(), new Date(), 'POST /v1/alerts?tenant=contoso');
    expect(jobTenants(await harness.http('POST', '/v1/alerts?tenant=contoso', { rawBody: withQuery.rawBody, headers: withQuery.headers, key: null }))).toEqual(['contoso']);
  });

  it('checks a signature sent with a key too, and keeps the narrower tenant binding of the two', async () => {
    const forFabrikam = signed(signingSecret, { alert: alert(), tenant: 'fabrikam' });
    const answer = await harness.http('POST', '/v1/alerts', { rawBody: forFabrikam.rawBody, headers: forFabrikam.headers });
    expect(answer.status).toBe(403);
    const tampered = signed(signingSecret, alert());
    expect((await harness.http('POST', '/v1/alerts', { rawBody: `${tampered.rawBody} `, headers: tampered.headers })).status).toBe(401);
  });
});

describe('per-key rate limit shared by two ingress replicas', () => {
  let first: IngressHarness;
  let second: IngressHarness;

  beforeAll(async () => {
    const env = { IPENRICH_PREFIX: uniquePrefix('ingress-rate'), INGRESS_RATE_PER_MINUTE: '4' };
    first = await startIngressHarness({ env });
    second = await startIngressHarness({ env, keys: first.keys });
  });

  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('says that ?token= is turned off when INGRESS_ALLOW_QUERY_TOKEN is not set', async () => {
    const answer = await first.http('POST', `/v1/alerts?token=${encodeURIComponent(first.keys.operator)}`, { body: alert(), key: null });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('INGRESS_ALLOW_QUERY_TOKEN') as unknown } });
  });

  it('admits the per-minute allowance across both, then answers 429 with Retry-After; other keys are not affected', async () => {
    const statuses: number[] = [];
    for (const replica of [first, second, first, second]) statuses.push((await replica.http('POST', '/v1/alerts', { body: alert() })).status);
    expect(statuses).toEqual([202, 202, 202, 202]);

    const limited = await first.http('POST', '/v1/alerts', { body: alert() });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15); // one emission interval: 60 s / 4
    expect((await second.http('GET', '/healthz', { key: null })).status).toBe(200);
    expect((await second.http('POST', '/v1/alerts', { body: alert() })).status).toBe(429);

    expect((await second.http('POST', '/v1/alerts', { body: alert(), key: first.keys.contoso })).status).toBe(202);
  });
});

describe('insecure mode (the demo, local development)', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngressHarness({ env: { INGRESS_API_KEYS: '', INGRESS_INSECURE_NO_AUTH: 'true' } });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('accepts requests without credentials as an operator on a loopback host', async () => {
    expect((await harness.http('POST', '/v1/alerts', { body: alert(), key: null })).status).toBe(202);
    expect((await harness.http('GET', '/metrics', { key: null })).status).toBe(200);
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:8080', '[::1]:8080']) {
      expect((await harness.http('GET', '/metrics', { key: null, headers: { host } })).status, host).toBe(200);
    }
  });

  it('refuses requests whose Host is not a loopback name (DNS rebinding from a browser), saying why', async () => {
    for (const host of ['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io']) {
      const answer = await harness.http('POST', '/v1/alerts', { body: alert(), key: null, headers: { host } });
      expect(answer.status, host).toBe(403);
      expect(answer.json).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringContaining('INGRESS_INSECURE_NO_AUTH') as unknown } });
    }
  });
});
