import { IpenrichError } from '../../errors.js';
import type { RequestSummary } from '../../http/request-summary.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { temporaryStatusReason } from '../../http/temporary-status.js';
import type { HttpResponse } from '../../http/transport.js';
import { parseDefenderError } from './response.js';
import { parseThrottleWindow } from './throttle-window.js';

/**
 * The error for a Defender answer that is not data (https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors):
 * 400 → MDE_BAD_REQUEST, 401 → MDE_UNAUTHORIZED (the client calls this only after its one refresh), 403 → MDE_FORBIDDEN,
 * and the temporary statuses of src/http/temporary-status.ts by their reason: timeout (408) →
 * MDE_TIMEOUT, throttled (429) → MDE_THROTTLED with Retry-After and the window the message names,
 * server error (5xx) → MDE_SERVER_ERROR; 3xx and anything else unexpected → MDE_BAD_RESPONSE / MDE_BAD_REQUEST.
 */
export function defenderStatusError(response: HttpResponse, ip: string, request: RequestSummary, now: number = Date.now()): IpenrichError {
  const status = response.status;
  const envelope = parseDefenderError(response.body);
  const said = envelope ? `${envelope.code}${envelope.message ? `: ${envelope.message}` : ''}` : `HTTP ${status}`;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
  const details: Record<string, unknown> = {
    request,
    ...(envelope ? { defenderCode: envelope.code, ...(envelope.target ? { target: envelope.target } : {}) } : {}),
  };
  const options = { statusCode: status, details, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };

  if (status === 400) return new IpenrichError('MDE_BAD_REQUEST', `Defender refused the request for ${ip} (400 ${said})`, options);
  if (status === 401) {
    return new IpenrichError(
      'MDE_UNAUTHORIZED',
      `Defender answered 401 for ${ip} even with a freshly acquired token (${said}): check MDE_SCOPE (the token audience) and MDE_CLOUD`,
      options,
    );
  }
  if (status === 403) {
    return new IpenrichError(
      'MDE_FORBIDDEN',
      `Defender answered 403 for ${ip} (${said}): the application needs the Ip.Read.All application permission (API WindowsDefenderATP) with admin consent`,
      options,
    );
  }
  const temporary = temporaryStatusReason(status);
  if (temporary === 'timeout') return new IpenrichError('MDE_TIMEOUT', `Defender answered ${status} for ${ip} (${said})`, options);
  if (temporary === 'throttled') {
    const window = parseThrottleWindow(envelope?.message);
    return new IpenrichError('MDE_THROTTLED', `Defender throttled the request for ${ip} (${status} ${said})`, {
      ...options,
      details: { ...details, ...(window ? { window } : {}) },
    });
  }
  if (temporary === 'server-error') return new IpenrichError('MDE_SERVER_ERROR', `Defender failed for ${ip} (${status} ${said})`, options);
  if (status >= 300 && status < 400) {
    return new IpenrichError(
      'MDE_BAD_RESPONSE',
      `Defender redirected the request for ${ip} (${status}) to ${response.headers.location ?? 'nowhere'}; redirects are not followed with a token: set MDE_API_BASE_URL to the final host`,
      options,
    );
  }
  if (status === 404) {
    return new IpenrichError('MDE_BAD_RESPONSE', `Defender answered 404 for ${ip} without its error envelope: is MDE_API_BASE_URL right?`, options);
  }
  return new IpenrichError('MDE_BAD_REQUEST', `Defender refused the request for ${ip} (${status} ${said})`, options);
}
