import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { hasSignatureHeaders, parseSigningSecrets, signatureTimestampProblem, signedPayload, verifySignature, type SignedRequest } from '../../../src/ingress/signing-secrets.js';

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const post = (body: string, target = '/v1/alerts'): SignedRequest => ({ method: 'POST', target, body });

function headersFor(secret: string, body: string, at = new Date(), target = '/v1/alerts'): Record<string, string> {
  return {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('msg_1', at, `POST ${target}\n${body}`),
  };
}

describe('Standard Webhooks signing secrets of callers', () => {
  it('finds the secret that signed the body, with its tenant', () => {
    const [a, b] = [newSecret(), newSecret()];
    const { secrets, problems } = parseSigningSecrets([a, `${b}@contoso`], ['default', 'contoso']);
    expect(problems).toEqual([]);
    const body = '{"alert":1}';
    expect(verifySignature(secrets, post(body), headersFor(b, body))?.secret.tenant).toBe('contoso');
    expect(verifySignature(secrets, post(body), headersFor(a, body))).toMatchObject({ secret: secrets[0], messageId: 'msg_1' });
    expect(secrets[0]?.id).toMatch(/^sig-[0-9a-f]{12}$/);
  });

  it('refuses an altered body, another secret, a stale timestamp and missing headers', () => {
    const secret = newSecret();
    const { secrets } = parseSigningSecrets([secret], ['default']);
    const body = '{"alert":1}';
    expect(verifySignature(secrets, post('{"alert":2}'), headersFor(secret, body))).toBeUndefined();
    expect(verifySignature(secrets, post(body), headersFor(newSecret(), body))).toBeUndefined();
    expect(verifySignature(secrets, post(body), headersFor(secret, body, new Date(Date.now() - 6 * 60_000)))).toBeUndefined();
    expect(verifySignature(secrets, post(body, '/v1/enrich'), headersFor(secret, body))).toBeUndefined();
    expect(verifySignature(secrets, { ...post(body), method: 'PUT' }, headersFor(secret, body))).toBeUndefined();
    // The reference library reads the timestamp with parseInt: `…x` would verify, and be NaN to Number().
    const signed = headersFor(secret, body);
    expect(verifySignature(secrets, post(body), signed)).toBeDefined();
    expect(verifySignature(secrets, post(body), { ...signed, 'webhook-timestamp': `${signed['webhook-timestamp']}x` })).toBeUndefined();
    const { 'webhook-id': _dropped, ...partial } = headersFor(secret, body);
    expect(hasSignatureHeaders(partial)).toBe(false);
    expect(verifySignature(secrets, post(body), partial)).toBeUndefined();
  });

  it('tells from the headers alone a timestamp that cannot verify: not whole seconds, or more than 5 minutes off', () => {
    const now = 1_768_123_866_000;
    const at = (seconds: number | string): Record<string, string> => ({ 'webhook-timestamp': String(seconds) });
    for (const offset of [0, -300, 300]) expect(signatureTimestampProblem(at(now / 1000 + offset), now)).toBeUndefined();
    expect(signatureTimestampProblem(at(now / 1000 - 301), now)).toMatch(/301 s in the past/);
    expect(signatureTimestampProblem(at(now / 1000 + 301), now)).toMatch(/301 s in the future/);
    for (const bad of ['1768123866x', '1768123866.0', '-1', '', ' 1768123866']) expect(signatureTimestampProblem(at(bad), now)).toMatch(/not an integer number of seconds/);
  });

  it('signs `{METHOD} {path?query}` and the body, split by the first line break', () => {
    expect(signedPayload({ method: 'post', target: '/v1/alerts?tenant=a.b', body: '{}' })).toBe('POST /v1/alerts?tenant=a.b\n{}');
  });

  it('lists malformed secrets and unknown tenants without quoting the secret', () => {
    const secret = newSecret();
    const { secrets, problems } = parseSigningSecrets(['whsec_short', `${secret}@initech`], ['default']);
    expect(secrets).toEqual([]);
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).not.toContain(secret.slice(6));
  });
});
