import { describe, expect, it } from 'vitest';
import { webhookStatusOutcome } from '../../../../connectors/webhook/webhook-status.js';

describe('the webhook\'s own status rule (Standard Webhooks, contracts.md §0)', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(webhookStatusOutcome(status)).toBe('delivered');
  });

  it('410 Gone disables the endpoint', () => {
    expect(webhookStatusOutcome(410)).toBe('gone');
  });

  it.each([301, 307, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504])('%i is a failure retried on the schedule', (status) => {
    expect(webhookStatusOutcome(status)).toBe('retry');
  });
});
