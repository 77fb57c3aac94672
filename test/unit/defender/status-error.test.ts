import { describe, expect, it } from 'vitest';
import { defenderStatusError } from '../../../src/enrich/defender/status-error.js';
import { ERROR_CODES } from '../../../src/errors.js';
import type { HttpResponse } from '../../../src/http/transport.js';

const request = { method: 'GET', url: 'https://api.security.microsoft.com/api/ips/1.2.3.4/stats?lookBackHours=720', headerNames: ['authorization'] };
const now = Date.UTC(2026, 0, 15, 12, 0, 0);

function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}
const envelope = (code: string, message: string) => ({ error: { code, message, target: '43f4cb08-8fac-4b65-9db1-745c2ae65f3a' } });

describe('defenderStatusError', () => {
  it.each([
    [400, envelope('InvalidIpAddress', 'IP address 1.2.3.4 is invalid.'), 'MDE_BAD_REQUEST'],
    [401, envelope('Unauthorized', 'Unauthorized'), 'MDE_UNAUTHORIZED'],
    [403, envelope('Forbidden', 'Forbidden'), 'MDE_FORBIDDEN'],
    [408, '', 'MDE_TIMEOUT'],
    [429, envelope('TooManyRequests', 'Too many requests'), 'MDE_THROTTLED'],
    [500, envelope('InternalServerError', ''), 'MDE_SERVER_ERROR'],
    [502, '<html>Bad Gateway</html>', 'MDE_SERVER_ERROR'],
    [503, '', 'MDE_SERVER_ERROR'],
    [302, '', 'MDE_BAD_RESPONSE'],
    [404, '<html>Not Found</html>', 'MDE_BAD_RESPONSE'],
    [405, envelope('MethodNotAllowed', 'no'), 'MDE_BAD_REQUEST'],
  ] as const)('%i → %s, with the retryable flag of the registry', (status, body, code) => {
    const error = defenderStatusError(response(status, body), '1.2.3.4', request, now);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(ERROR_CODES[code].job !== 'fail');
    expect(error.statusCode).toBe(status);
    expect(error.details?.request).toEqual(request);
  });

  it('403 says which permission is missing', () => {
    expect(defenderStatusError(response(403, envelope('Forbidden', 'x')), '1.2.3.4', request, now).message).toMatch(/Ip\.Read\.All application permission .*admin consent/);
  });

  it('429 carries Retry-After in seconds and the window the message names', () => {
    const error = defenderStatusError(
      response(429, envelope('TooManyRequests', 'API calls quota exceeded! maximum allowed 1500 per 01:00:00.'), { 'retry-after': '37' }),
      '1.2.3.4',
      request,
      now,
    );
    expect(error.retryAfterMs).toBe(37_000);
    expect(error.details?.window).toEqual({ max: 1500, windowMs: 3_600_000, text: '01:00:00' });
    expect(error.details?.defenderCode).toBe('TooManyRequests');
  });

  it('429 carries Retry-After given as an HTTP date', () => {
    const error = defenderStatusError(response(429, envelope('TooManyRequests', 'x'), { 'retry-after': new Date(now + 90_000).toUTCString() }), '1.2.3.4', request, now);
    expect(error.retryAfterMs).toBe(90_000);
    expect(error.details?.window).toBeUndefined();
  });

  it('keeps the Defender error code and correlation target for support cases', () => {
    const error = defenderStatusError(response(400, envelope('InvalidIpAddress', 'IP address 1.2.3.4 is invalid.')), '1.2.3.4', request, now);
    expect(error.details).toMatchObject({ defenderCode: 'InvalidIpAddress', target: '43f4cb08-8fac-4b65-9db1-745c2ae65f3a' });
    expect(error.message).toContain('InvalidIpAddress: IP address 1.2.3.4 is invalid.');
  });
});
