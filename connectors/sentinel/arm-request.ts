import type { AccessTokenSource } from '../../src/auth/access-token-source.js';
import { IpenrichError, isIpenrichError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import { isTemporaryStatus } from '../../src/http/temporary-status.js';
import { isHttpTransportError } from '../../src/http/transport-error.js';
import type { HttpResponse, HttpTransport } from '../../src/http/transport.js';

/**
 * Microsoft.SecurityInsights API version for incidents and comments
 * (https://learn.microsoft.com/en-us/rest/api/securityinsights/incident-comments/create-or-update; docs/sentinel.md §5).
 */
const SECURITY_INSIGHTS_API_VERSION = '2025-09-01';

export interface ArmContext {
  readonly transport: HttpTransport;
  readonly tokens: AccessTokenSource;
  readonly armEndpoint: string;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/**
 * One Resource Manager call with a bearer token for `<ARM endpoint>/.default`. A 401 is retried
 * once with a freshly acquired token (the cached one may have been revoked).
 */
export async function armRequest(
  context: ArmContext,
  method: 'GET' | 'PUT',
  path: string,
  body: unknown,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  const url = new URL(`${path}?api-version=${SECURITY_INSIGHTS_API_VERSION}`, context.armEndpoint);
  const scope = `${new URL(context.armEndpoint).origin}/.default`;
  for (let forceRefresh = false; ; forceRefresh = true) {
    const token = await context.tokens.getAccessToken(scope, { forceRefresh, ...(signal ? { signal } : {}) });
    let response: HttpResponse;
    try {
      response = await context.transport.request({
        method,
        url,
        headers: {
          authorization: `Bearer ${token.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: context.timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw armTransportError(error);
    }
    if (response.status !== 401 || forceRefresh) return response;
  }
}

function armTransportError(error: unknown): IpenrichError {
  if (isIpenrichError(error)) return error;
  if (isHttpTransportError(error)) {
    const details = error.kind === 'aborted' ? { aborted: true } : error.kind === 'timeout' ? { timeout: true } : undefined;
    return new IpenrichError('SINK_UNAVAILABLE', `Azure Resource Manager unreachable: ${error.message}`, { cause: error, ...(details ? { details } : {}) });
  }
  return new IpenrichError('SINK_UNAVAILABLE', `Azure Resource Manager unreachable: ${String(error)}`, { cause: error });
}

/** The ARM CloudError envelope `{"error":{"code","message"}}`, as far as it is there. */
function cloudError(response: HttpResponse): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
    return {
      ...(typeof parsed.error?.code === 'string' ? { code: parsed.error.code } : {}),
      ...(typeof parsed.error?.message === 'string' ? { message: parsed.error.message.slice(0, 300) } : {}),
    };
  } catch {
    return {};
  }
}

/** Temporary statuses (src/http/temporary-status.ts) carry Retry-After for the worker; other statuses are final. */
export function armError(response: HttpResponse, what: string, now: number): IpenrichError {
  const { code, message } = cloudError(response);
  const reason = [code, message].filter(Boolean).join(': ');
  const text = `${what}: Azure Resource Manager answered ${response.status}${reason ? ` (${reason})` : ''}`;
  const status = response.status;
  if (isTemporaryStatus(status)) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return new IpenrichError('SINK_UNAVAILABLE', text, { statusCode: status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(code ? { details: { armCode: code } } : {}) });
  }
  return new IpenrichError('SINK_REJECTED', text, { statusCode: status, ...(code ? { details: { armCode: code } } : {}) });
}
