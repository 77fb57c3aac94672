import { describe, expect, it } from 'vitest';
import { IpenrichError } from '../../../src/errors.js';
import { errorReply } from '../../../src/ingress/error-reply.js';
import { clearSecretsForTest, registerSecret } from '../../../src/secrets.js';

describe('the error answer', () => {
  it('maps our codes to their HTTP status, with Retry-After where the error knows when', () => {
    expect(errorReply(new IpenrichError('FORBIDDEN', 'no')).status).toBe(403);
    expect(errorReply(new IpenrichError('TENANT_UNKNOWN', 'no')).status).toBe(400);
    expect(errorReply(new IpenrichError('JOB_FAILED', 'no')).status).toBe(422);
    const limited = errorReply(new IpenrichError('RATE_LIMITED', 'slow down', { retryAfterMs: 1_200 }));
    expect(limited).toMatchObject({ status: 429, retryAfterSeconds: 2, body: { error: { code: 'RATE_LIMITED', message: 'slow down' } } });
    expect(errorReply(new IpenrichError('REDIS_UNAVAILABLE', 'down', { retryAfterMs: 5_000 }))).toMatchObject({ status: 503, retryAfterSeconds: 5 });
  });

  it('keeps the issues of a schema error', () => {
    const issues = [{ path: 'body.tenant', message: 'bad' }];
    expect(errorReply(new IpenrichError('INPUT_INVALID', 'x', { details: { issues } })).body.error.issues).toEqual(issues);
  });

  it('says nothing about internals for unexpected errors, ours or foreign', () => {
    const foreign = errorReply(new TypeError('Cannot read properties of undefined (reading \'x\') at /srv/app/src/ingress/app.ts:12'));
    expect(foreign).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
    expect(JSON.stringify(foreign.body)).not.toMatch(/reading|\/srv\//);
    expect(errorReply(new IpenrichError('AUTH_FAILED', 'AADSTS7000215: secret for client 1234 is wrong')).body.error.message).not.toMatch(/AADSTS|1234/);
  });

  it('maps what fastify says about a request to our codes', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(errorReply(tooLarge, { bodyLimitBytes: 1_048_576 })).toMatchObject({
      status: 413,
      body: { error: { code: 'INPUT_TOO_LARGE', message: 'the request body is larger than 1048576 bytes (INGRESS_BODY_LIMIT_BYTES)' } },
    });
    expect(errorReply(Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).status).toBe(415);
    expect(errorReply(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }))).toMatchObject({ status: 400, body: { error: { code: 'INPUT_NOT_JSON' } } });
  });

  it('scrubs registered secrets from messages', () => {
    registerSecret('ipe_super-secret-key-value');
    try {
      const answer = errorReply(new IpenrichError('INPUT_INVALID', 'token ipe_super-secret-key-value is odd'));
      expect(answer.body.error.message).toBe('token [REDACTED] is odd');
    } finally {
      clearSecretsForTest();
    }
  });
});
