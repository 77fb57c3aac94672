import type { RequestSummary } from './request-summary.js';

/**
 * Why no HTTP response arrived. Callers map these to their own codes (MDE_TIMEOUT, SINK_UNAVAILABLE…):
 * - `timeout`: the request's deadline passed (connect, headers or body);
 * - `network`: DNS, connection, TLS, proxy or a reset while reading;
 * - `aborted`: the caller's AbortSignal fired;
 * - `too-large`: the response body exceeded the transport's limit.
 */
export type TransportFailure = 'timeout' | 'network' | 'aborted' | 'too-large';

export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  readonly kind: TransportFailure;
  /** The sanitized request: safe to log. */
  readonly request: RequestSummary;

  constructor(kind: TransportFailure, request: RequestSummary, message: string, options: { cause?: unknown } = {}) {
    super(`${request.method} ${request.url}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.request = request;
  }
}

export function isHttpTransportError(value: unknown): value is HttpTransportError {
  return value instanceof HttpTransportError;
}
