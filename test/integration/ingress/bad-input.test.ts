import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../../src/errors.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { testRedisUrl } from '../../support/redis.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';

const ALERT = { event: { id: 'bad-input-reference', kind: 'alert' }, source: { ip: '203.0.113.30' } };

function nested(depth: number): unknown {
  let value: unknown = { ip: '203.0.113.31' };
  for (let i = 0; i < depth; i += 1) value = { child: value };
  return value;
}

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly rawBody?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code: string;
  /** An issue path the answer must name (schema errors). */
  readonly issuePath?: string;
  /** What the message must say. */
  readonly says?: string;
}

const CASES: readonly Case[] = [
  { name: 'a body over INGRESS_BODY_LIMIT_BYTES', body: { ...ALERT, padding: 'x'.repeat(5_000) }, status: 413, code: 'INPUT_TOO_LARGE', says: 'larger than 4096 bytes (INGRESS_BODY_LIMIT_BYTES)' },
  { name: 'text/plain', rawBody: JSON.stringify(ALERT), headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form data', rawBody: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a body without a content type', rawBody: JSON.stringify(ALERT), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'malformed JSON', rawBody: '{"event": {', headers: { 'content-type': 'application/json' }, status: 400, code: 'INPUT_NOT_JSON', says: 'the body is not valid JSON: ' },
  { name: 'an empty JSON body', rawBody: '', headers: { 'content-type': 'application/json' }, status: 400, code: 'INPUT_NOT_JSON' },
  { name: 'prototype poisoning', rawBody: '{"__proto__":{"isAdmin":true},"a":1}', headers: { 'content-type': 'application/json' }, status: 400, code: 'INPUT_INVALID', says: 'refused as prototype poisoning' },
  { name: 'a JSON string', body: 'alert', status: 400, code: 'INPUT_INVALID', issuePath: 'body' },
  { name: 'an empty array', body: [], status: 400, code: 'INPUT_INVALID', issuePath: 'body' },
  { name: 'an empty object', body: {}, status: 400, code: 'INPUT_INVALID', issuePath: 'body' },
  { name: 'an array with a number', body: [ALERT, 5], status: 400, code: 'INPUT_INVALID', issuePath: 'body.1' },
  { name: 'an envelope with a bad tenant', body: { alert: ALERT, tenant: 'no spaces allowed' }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.tenant' },
  { name: 'an envelope with an ftp callback', body: { alert: ALERT, callbackUrl: 'ftp://example.com/x' }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.callbackUrl' },
  { name: 'an envelope with a numeric tenant', body: { alert: ALERT, tenant: 7 }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.tenant' },
  // Graph list elements get the envelope checks every other alert gets (an operator key would otherwise queue them for the default tenant).
  { name: 'a Graph list element with a misspelt routing key', body: { value: [{ alert: { id: 'gl-1', a: '203.0.113.32' }, TENANT: 'fabrikam', callbackURL: 'https://hooks.example.com/x' }] }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.value.0' },
  { name: 'a Graph list element with an extra key beside tenant', body: { value: [ALERT, { alert: ALERT, tenant: 'fabrikam', extra: 'zzz' }] }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.value.1' },
  { name: 'a Graph list element with a numeric tenant', body: { value: [{ alert: ALERT, tenant: 123 }] }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.value.0.tenant' },
  { name: 'nesting deeper than 256 levels', body: nested(300), status: 400, code: 'INPUT_INVALID', issuePath: 'body' },
  { name: 'more alerts than INGRESS_MAX_BATCH', body: [ALERT, ALERT, ALERT, ALERT], status: 400, code: 'INPUT_INVALID' },
  { name: 'a Graph list to /v1/enrich', path: '/v1/enrich', body: { value: [ALERT] }, status: 400, code: 'INPUT_INVALID', issuePath: 'body' },
  { name: 'an array to /v1/enrich', path: '/v1/enrich', body: [ALERT], status: 400, code: 'INPUT_INVALID', issuePath: 'body', says: 'the body is not one alert or one envelope (several go to POST /v1/alerts)' },
  { name: 'a lookup of things that are not IPs', path: '/v1/lookup', body: { ips: ['203.0.113.1', '999.1.1.1', 'example.com'] }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.ips.1' },
  { name: 'a lookup of too many IPs', path: '/v1/lookup', body: { ips: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'] }, status: 400, code: 'INPUT_INVALID' },
  { name: 'a lookup with lookBackHours 0', path: '/v1/lookup', body: { ips: ['192.0.2.1'], lookBackHours: 0 }, status: 400, code: 'INPUT_INVALID', issuePath: 'body.lookBackHours' },
  { name: 'a lookup with an extra field', path: '/v1/lookup', body: { ips: ['192.0.2.1'], tenants: ['x'] }, status: 400, code: 'INPUT_INVALID' },
  { name: 'a query tenant that is not a name', path: '/v1/alerts?tenant=a%20b', body: ALERT, status: 400, code: 'INPUT_INVALID', issuePath: 'querystring.tenant' },
  { name: 'a job id that is not one', method: 'GET', path: '/v1/jobs/a%20b', status: 400, code: 'INPUT_INVALID', issuePath: 'params.id', says: 'the path does not match the schema' },
  { name: 'an unknown endpoint', method: 'GET', path: '/v2/alerts', status: 404, code: 'NOT_FOUND' },
  { name: 'GET on a POST endpoint', method: 'GET', path: '/v1/alerts', status: 404, code: 'NOT_FOUND' },
];

describe('bad input gets a clear 4xx and loses nothing', () => {
  let harness: IngressHarness;
  let redis: Redis;
  let queue: AlertsQueue;

  beforeAll(async () => {
    harness = await startIngressHarness({ env: { INGRESS_BODY_LIMIT_BYTES: '4096', INGRESS_MAX_BATCH: '3' } });
    redis = createRedis(testRedisUrl());
    queue = createAlertsQueue(redis, keySpace(harness.config.IPENRICH_PREFIX));
  });

  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await harness.close();
  });

  function send(testCase: Case): Promise<HttpAnswer> {
    return harness.http(testCase.method ?? 'POST', testCase.path ?? '/v1/alerts', {
      ...(testCase.body === undefined ? {} : { body: testCase.body }),
      ...(testCase.rawBody === undefined ? {} : { rawBody: testCase.rawBody }),
      ...(testCase.headers === undefined ? {} : { headers: testCase.headers }),
    });
  }

  it.each(CASES)('$name → $status $code', async (testCase) => {
    const answer = await send(testCase);
    expect(answer.status).toBe(testCase.status);
    const error = (answer.json as { error: { code: string; message: string; issues?: { path: string; message: string }[] } }).error;
    expect(error.code).toBe(testCase.code);
    expect(isErrorCode(error.code)).toBe(true);
    expect(error.message.length).toBeGreaterThan(0);
    if (testCase.issuePath !== undefined) expect(error.issues?.map((issue) => issue.path)).toContain(testCase.issuePath);
    if (testCase.says !== undefined) expect(error.message).toContain(testCase.says);
    // No stack trace, no source path, no key.
    expect(answer.text).not.toMatch(/\n\s+at |\/src\/|node_modules/);
    expect(answer.text).not.toContain(harness.keys.operator);
    expect(Object.keys(answer.json as object)).toEqual(['error']);
  });

  it('queued nothing for any of them, and still takes a good alert', async () => {
    expect(await queue.count()).toBe(0);
    expect((await harness.http('POST', '/v1/alerts', { body: ALERT })).status).toBe(202);
    expect(await queue.count()).toBe(1);
  });
});
