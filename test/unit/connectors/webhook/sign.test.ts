import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../../../connectors/webhook/sign.js';

describe('Standard Webhooks signature', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;

  it('is accepted by the reference library over the exact body bytes', () => {
    const now = Math.floor(Date.now() / 1_000);
    const body = JSON.stringify({ type: 'ipenrich.alert.enriched', data: { ip: '203.0.113.7', note: 'ünïcode' } });
    const signature = signWebhook(secret, 'msg_abc', now, body);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const payload = new Webhook(secret).verify(body, { 'webhook-id': 'msg_abc', 'webhook-timestamp': String(now), 'webhook-signature': signature });
    expect(payload).toEqual(JSON.parse(body));
  });

  it('equals the reference library signature', () => {
    const at = new Date();
    const seconds = Math.floor(at.getTime() / 1_000);
    expect(signWebhook(secret, 'id-1', seconds, '{"a":1}')).toBe(new Webhook(secret).sign('id-1', at, '{"a":1}'));
  });

  it('fails verification when any signed part changes', () => {
    const now = Math.floor(Date.now() / 1_000);
    const signature = signWebhook(secret, 'id-1', now, '{"a":1}');
    const verifier = new Webhook(secret);
    expect(() => verifier.verify('{"a":2}', { 'webhook-id': 'id-1', 'webhook-timestamp': String(now), 'webhook-signature': signature })).toThrow();
    expect(() => verifier.verify('{"a":1}', { 'webhook-id': 'id-2', 'webhook-timestamp': String(now), 'webhook-signature': signature })).toThrow();
  });
});
