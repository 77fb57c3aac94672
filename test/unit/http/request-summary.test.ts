import { describe, expect, it } from 'vitest';
import { sanitizeUrl, summarizeRequest } from '../../../src/http/request-summary.js';

describe('request summary', () => {
  it('drops credentials and secret-looking query values but keeps the rest', () => {
    const url = sanitizeUrl('https://user:p4ssw0rd@example.com/path?sig=abc123&api-version=2023-01-01&access_token=xyz&lookBackHours=48');
    expect(url).not.toContain('p4ssw0rd');
    expect(url).not.toContain('user@');
    expect(url).not.toContain('abc123');
    expect(url).not.toContain('xyz');
    expect(url).toContain('api-version=2023-01-01');
    expect(url).toContain('lookBackHours=48');
    expect(url).toContain('sig=REDACTED');
  });

  it('lists header names only, never values', () => {
    const summary = summarizeRequest({ method: 'get', url: 'https://example.com/x', headers: { Authorization: 'Bearer secret-token-value' } });
    expect(summary).toEqual({ method: 'GET', url: 'https://example.com/x', headerNames: ['authorization'] });
    expect(JSON.stringify(summary)).not.toContain('secret-token-value');
  });

  it('does not echo an unparseable URL', () => {
    expect(sanitizeUrl('not a url with secret')).toBe('(invalid URL)');
  });
});
