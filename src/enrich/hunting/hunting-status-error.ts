import { IpenrichError } from '../../errors.js';
import type { RequestSummary } from '../../http/request-summary.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { temporaryStatusReason } from '../../http/temporary-status.js';
import type { HttpResponse } from '../../http/transport.js';

/** Which limit a 429 names: calls or CPU, and "the response body" says which (https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting). */
type HuntingLimit = 'calls' | 'cpu' | 'unknown';

interface GraphErrorEnvelope {
  readonly code: string;
  readonly message: string;
}

/** Graph's `{"error":{"code","message"}}`, when the body has it. */
function graphError(body: Buffer): GraphErrorEnvelope | undefined {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (json === null || typeof json !== 'object' || !('error' in json)) return undefined;
    const { error } = json;
    if (error === null || typeof error !== 'object') return undefined;
    const { code, message } = error as Record<string, unknown>;
    return { code: typeof code === 'string' ? code : '', message: typeof message === 'string' ? message : '' };
  } catch {
    return undefined;
  }
}

/**
 * The limit a 429's text names. The wording is not documented; these match the advanced hunting
 * error texts Microsoft shows ("CPU", "resources"; "calls", "requests"), and anything else is
 * `unknown`, which the route treats as the CPU quota (the longer pause).
 */
export function huntingLimitOf(text: string): HuntingLimit {
  if (/cpu|resource/i.test(text)) return 'cpu';
  if (/call|request|rate/i.test(text)) return 'calls';
  return 'unknown';
}

/**
 * The error for a Graph answer that is not data: 429 → HUNTING_THROTTLED (with Retry-After when
 * sent, and the limit the body names in `details.limit`), 408/5xx → HUNTING_UNAVAILABLE (500/504
 * with an empty message happen: microsoft-graph-docs #19084, #19954), 400/401/403 and anything else
 * → HUNTING_REFUSED. The query itself never appears in the message: it lists the alert's IPs.
 */
export function huntingStatusError(response: HttpResponse, request: RequestSummary, now: number): IpenrichError {
  const { status } = response;
  const envelope = graphError(response.body);
  const said = envelope && (envelope.code || envelope.message) ? `${envelope.code}${envelope.message ? `: ${envelope.message.slice(0, 300)}` : ''}` : `HTTP ${status}`;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
  const details: Record<string, unknown> = { request, ...(envelope?.code ? { graphCode: envelope.code } : {}) };
  const options = { statusCode: status, details, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const reason = temporaryStatusReason(status);
  if (reason === 'throttled') {
    const limit = huntingLimitOf(envelope?.message ?? response.body.toString('utf8').slice(0, 2_000));
    return new IpenrichError('HUNTING_THROTTLED', `Graph throttled the hunting query (429 ${said})`, { ...options, details: { ...details, limit } });
  }
  if (reason !== undefined) return new IpenrichError('HUNTING_UNAVAILABLE', `the hunting query failed (${status} ${said})`, options);
  if (status === 401) {
    return new IpenrichError('HUNTING_REFUSED', `Graph answered 401 to the hunting query even with a fresh token (${said}): check MDE_CLOUD and GRAPH_BASE_URL`, options);
  }
  if (status === 403) {
    return new IpenrichError(
      'HUNTING_REFUSED',
      `Graph answered 403 to the hunting query (${said}): the application needs the ThreatHunting.Read.All application permission (Microsoft Graph) with admin consent`,
      options,
    );
  }
  return new IpenrichError('HUNTING_REFUSED', `Graph refused the hunting query (${status} ${said})`, options);
}
