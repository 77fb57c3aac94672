import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecretFields } from '../../src/log-redaction.js';

describe('redactSecretFields', () => {
  it('replaces values under credential-named keys at any depth and in any case', () => {
    const input = {
      token: 'top-level',
      req: { headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k-1', accept: 'json' } },
      calls: [{ auth: { client_secret: 'cs', clientAssertion: 'eyJ', PrivateKey: 'pem' } }],
      deep: { a: { b: { c: { password: 'p' } } } },
    };
    expect(redactSecretFields(input)).toEqual({
      token: REDACTED,
      req: { headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, accept: 'json' } },
      calls: [{ auth: { client_secret: REDACTED, clientAssertion: REDACTED, PrivateKey: REDACTED } }],
      deep: { a: { b: { c: { password: REDACTED } } } },
    });
  });

  it('redacts a whole object or array held under a credential-named key', () => {
    expect(redactSecretFields({ secret: { value: 's' }, apiKey: ['a', 'b'] })).toEqual({ secret: REDACTED, apiKey: REDACTED });
  });

  it('never changes the caller\'s objects, and returns them as they are when nothing is secret', () => {
    const headers = { authorization: 'Bearer abc' };
    const input = { req: { headers }, other: { plain: true } };
    const output = redactSecretFields(input);
    expect(headers.authorization).toBe('Bearer abc');
    expect(output.other).toBe(input.other);
    const clean = { jobId: 'a1', delivered: ['webhook'], nested: { tenant: 'default' } };
    expect(redactSecretFields(clean)).toBe(clean);
  });

  it('keeps null and absent credentials as they are, so a log still says a token was missing', () => {
    expect(redactSecretFields({ token: null, secret: undefined })).toEqual({ token: null, secret: undefined });
  });

  it('leaves class instances to their serializers and stops at a depth no log object reaches', () => {
    class Holder {
      constructor(readonly token: string) {}
    }
    const holder = new Holder('kept for its serializer');
    expect(redactSecretFields({ holder }).holder).toBe(holder);
    const tooDeep = { a: { b: { c: { d: { e: { f: { g: { token: 't' } } } } } } } };
    expect(redactSecretFields(tooDeep)).toBe(tooDeep);
  });
});
