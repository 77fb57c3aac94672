import { IpenrichError } from '../../src/errors.js';
import type { HttpResponse } from '../../src/http/transport.js';
import { isHttpTransportError } from '../../src/http/transport-error.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import { hecOutcome } from './hec-codes.js';

/** A HEC answer body `{text, code, ackId?}`; undefined when the body is not that (proxies, garbage). */
export interface HecReply {
  readonly text?: string;
  readonly code?: number;
  readonly ackId?: number;
}

export function parseHecReply(body: Buffer): HecReply | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const { text, code, ackId } = parsed as Record<string, unknown>;
    return {
      ...(typeof text === 'string' ? { text } : {}),
      ...(typeof code === 'number' ? { code } : {}),
      ...(typeof ackId === 'number' ? { ackId } : {}),
    };
  } catch {
    return undefined;
  }
}

function oneLine(text: string, secret: string): string {
  const line = text.replace(/\s+/g, ' ').trim().split(secret).join('[REDACTED]');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The error for a HEC answer that is not a success, classified by the code table. */
export function hecError(response: HttpResponse, reply: HecReply | undefined, token: string, now: number): IpenrichError {
  const reason = reply?.text ?? oneLine(response.body.toString('utf8'), token);
  const codePart = reply?.code === undefined ? '' : ` (HEC code ${reply.code})`;
  const message = `Splunk HEC answered ${response.status}${reason ? `: ${oneLine(reason, token)}` : ''}${codePart}`;
  const details = reply?.code === undefined ? undefined : { hecCode: reply.code };
  if (hecOutcome(response.status, reply?.code) === 'temporary') {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return new IpenrichError('SINK_UNAVAILABLE', message, {
      statusCode: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(details ? { details } : {}),
    });
  }
  return new IpenrichError('SINK_REJECTED', message, { statusCode: response.status, ...(details ? { details } : {}) });
}

/** A request that got no answer: always temporary; the caller's abort is marked as such. */
export function hecTransportError(error: unknown): IpenrichError {
  if (isHttpTransportError(error)) {
    const details = error.kind === 'aborted' ? { aborted: true } : error.kind === 'timeout' ? { timeout: true } : undefined;
    return new IpenrichError('SINK_UNAVAILABLE', `Splunk HEC unreachable: ${error.message}`, { cause: error, ...(details ? { details } : {}) });
  }
  return new IpenrichError('SINK_UNAVAILABLE', `Splunk HEC unreachable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
