import { IpenrichError } from '../../src/errors.js';
import { isHttpTransportError } from '../../src/http/transport-error.js';
import { describeUrl } from './safe-url.js';

/**
 * A delivery attempt that got no answer: always temporary (SINK_UNAVAILABLE); the caller's abort is
 * marked `details.aborted` (the job is retried later, not in-process) and the deadline `details.timeout`.
 */
export function webhookTransportError(error: unknown, url: URL, timeoutMs: number): IpenrichError {
  const where = describeUrl(url);
  const kind = isHttpTransportError(error) ? error.kind : 'network';
  if (kind === 'aborted') {
    return new IpenrichError('SINK_UNAVAILABLE', `Delivery to ${where} aborted`, { cause: error, details: { aborted: true } });
  }
  if (kind === 'timeout') {
    return new IpenrichError('SINK_UNAVAILABLE', `No answer from ${where} within ${timeoutMs} ms`, { cause: error, details: { timeout: true } });
  }
  // The undici error's code (ECONNREFUSED…) says more than the transport's message, which repeats the URL.
  const cause = isHttpTransportError(error) ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'connection failed';
  return new IpenrichError('SINK_UNAVAILABLE', `Connection to ${where} failed (${reason})`, { cause: error });
}
