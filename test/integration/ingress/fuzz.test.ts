import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../../src/errors.js';
import { canonicalIp } from '../../../src/extract/index.js';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

interface HostileRequest {
  readonly kind: string;
  readonly method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly contentType: string | undefined;
  readonly payload: string | Buffer;
}

const BODY_LIMIT = 8_192;
const POST_ENDPOINTS = ['/v1/alerts', '/v1/enrich', '/v1/lookup'] as const;

const endpoint = fc.constantFrom(...POST_ENDPOINTS);
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const alertObject = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), jsonValue, { minKeys: 1, maxKeys: 5 });
/** Without top-level `constructor`/`__proto__` keys: a later duplicate key would replace the poisoned one (JSON.parse keeps the last). */
const plainObject = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((key) => key !== 'constructor' && key !== '__proto__'), jsonValue, { minKeys: 1, maxKeys: 5 });
const primitive = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const notATenantName = fc.oneof(fc.integer(), fc.constant(''), fc.string({ minLength: 1 }).filter((s) => !/^[A-Za-z0-9_.-]{1,64}$/.test(s)));

function json(kind: string, body: fc.Arbitrary<unknown>, url: fc.Arbitrary<string> = endpoint): fc.Arbitrary<HostileRequest> {
  return fc.record({ kind: fc.constant(kind), method: fc.constant('POST' as const), url, contentType: fc.constant('application/json'), payload: body.map((value) => JSON.stringify(value)) });
}

/** Every arbitrary here yields a request that must be refused with a 4xx, by construction. */
const hostile: fc.Arbitrary<HostileRequest> = fc.oneof(
  // JSON cut short: a strict prefix of an object's serialization never parses.
  fc.record({
    kind: fc.constant('truncated JSON'),
    method: fc.constant('POST' as const),
    url: endpoint,
    contentType: fc.constant('application/json'),
    payload: fc.tuple(alertObject, fc.nat()).map(([value, cut]) => {
      const text = JSON.stringify(value);
      return text.slice(0, cut % text.length);
    }),
  }),
  json('a JSON primitive', primitive),
  json('an array holding a non-object', fc.tuple(fc.array(alertObject, { maxLength: 3 }), primitive, fc.nat()).map(([alerts, bad, at]) => {
    const items: unknown[] = [...alerts];
    items.splice(at % (items.length + 1), 0, bad);
    return items;
  })),
  json('an envelope with a bad tenant', fc.record({ alert: alertObject, tenant: notATenantName })),
  json('an envelope with a bad callback', fc.record({ alert: alertObject, callbackUrl: fc.oneof(fc.string(), fc.constant('javascript:alert(1)'), fc.constant('file:///etc/passwd'), fc.integer()) })),
  json('an empty alert', fc.constantFrom({}, { alert: {} }, [], { value: [] })),
  json('a Graph list with a non-object', fc.array(primitive, { minLength: 1, maxLength: 3 }).map((value) => ({ '@odata.context': 'x', value }))),
  json('nesting too deep', fc.integer({ min: 257, max: 1_500 }).map((depth) => {
    let value: unknown = { ip: '192.0.2.1' };
    for (let i = 0; i < depth; i += 1) value = [value];
    return { deep: value };
  })),
  fc.record({
    kind: fc.constant('prototype poisoning'),
    method: fc.constant('POST' as const),
    url: endpoint,
    contentType: fc.constant('application/json'),
    payload: fc.tuple(plainObject, fc.constantFrom('"__proto__"', '"constructor":{"prototype"')).map(([value, key]) => {
      const text = JSON.stringify(value);
      return key.startsWith('"constructor"') ? `{${key}:{"polluted":true}},${text.slice(1)}` : `{${key}:{"polluted":true},${text.slice(1)}`;
    }),
  }),
  json('lookup of non-IPs', fc.array(fc.string({ maxLength: 40 }).filter((s) => canonicalIp(s) === null), { minLength: 1, maxLength: 5 }).map((ips) => ({ ips })), fc.constant('/v1/lookup')),
  json('lookup with a bad shape', fc.oneof(fc.record({ ips: primitive }), fc.record({ addresses: fc.array(fc.string()) }), fc.record({ ips: fc.constant(['192.0.2.1']), lookBackHours: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 721 }), fc.string()) })), fc.constant('/v1/lookup')),
  json('a bad query tenant', alertObject, fc.tuple(fc.constantFrom('/v1/alerts', '/v1/enrich'), fc.string({ minLength: 1, maxLength: 80 }).filter((s) => !/^[A-Za-z0-9_.-]{1,64}$/.test(s))).map(([path, tenant]) => `${path}?tenant=${encodeURIComponent(tenant)}`)),
  fc.record({
    kind: fc.constant('not UTF-8 JSON'),
    method: fc.constant('POST' as const),
    url: endpoint,
    contentType: fc.constant('application/json'),
    payload: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes)])),
  }),
  fc.record({
    kind: fc.constant('not JSON at all'),
    method: fc.constant('POST' as const),
    url: endpoint,
    contentType: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json'),
    payload: fc.oneof(fc.string({ minLength: 1 }), alertObject.map((value) => JSON.stringify(value))),
  }),
  fc.record({
    kind: fc.constant('too large'),
    method: fc.constant('POST' as const),
    url: endpoint,
    contentType: fc.constant('application/json'),
    payload: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 4 }).map((size) => JSON.stringify({ padding: 'x'.repeat(size) })),
  }),
  fc.record({
    kind: fc.constant('no such route'),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    url: fc.webPath().map((path) => `/v9${path}`),
    contentType: fc.constant(undefined),
    payload: fc.constant(''),
  }),
);

describe('fuzz: hostile and malformed bodies', () => {
  let harness: IngressHarness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    harness = await startIngressHarness({ env: { INGRESS_BODY_LIMIT_BYTES: String(BODY_LIMIT), INGRESS_RATE_PER_MINUTE: '1000000' } });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await harness.close();
  });

  it('answers 10,000 of them with a 4xx and a registered error code, never crashing, never queueing', async () => {
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostile, async (request) => {
        kinds.set(request.kind, (kinds.get(request.kind) ?? 0) + 1);
        const answer = await harness.app.inject({
          method: request.method,
          url: request.url,
          headers: { authorization: `Bearer ${harness.keys.operator}`, ...(request.contentType === undefined ? {} : { 'content-type': request.contentType }) },
          ...(request.method === 'GET' ? {} : { payload: request.payload }),
        });
        const code = answer.json<{ error?: { code?: string } }>().error?.code ?? '';
        if (answer.statusCode < 400 || answer.statusCode >= 500 || !isErrorCode(code)) {
          throw new Error(`${request.kind} ${request.method} ${request.url} → ${answer.statusCode} ${answer.body.slice(0, 300)}`);
        }
      }),
      { numRuns: 10_000 },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(kinds.size).toBeGreaterThanOrEqual(15);
    expect((await harness.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const counts = await harness.ingress.deps.queue.getJobCounts('waiting', 'prioritized');
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(0);
  }, 300_000);
});
