import { isIpenrichError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import { isTemporaryStatus } from '../../src/http/temporary-status.js';

/** What an Azure SDK error (RestError, AbortError, network) means for a retry. */
export interface AzureFailure {
  readonly retryable: boolean;
  readonly aborted: boolean;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  /** The service's message, without the request (whose headers hold the bearer token). */
  readonly message: string;
  readonly retryAfterMs: number | undefined;
}

/** The parts of @azure/core-rest-pipeline's RestError we read (duck-typed: no direct dependency). */
interface RestErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly response?: { readonly headers: { get(name: string): string | undefined } };
}

function header(error: RestErrorLike, name: string): string | undefined {
  try {
    return error.response?.headers.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Retryable: no status (connection, DNS, TLS, timeout) or a temporary one (src/http/temporary-status.ts).
 * Retry-After also comes as `retry-after-ms` / `x-ms-retry-after-ms`, which the Azure core pipeline
 * reads first (@azure/core-rest-pipeline throttlingRetryStrategy).
 */
export function classifyAzureError(error: unknown, now: number): AzureFailure {
  // Ours, from the token source inside the SDK's auth policy (e.g. AUTH_FAILED): keep its verdict.
  if (isIpenrichError(error)) {
    const aborted = error.details?.aborted === true;
    return { retryable: error.retryable, aborted, statusCode: error.statusCode, code: error.code, message: error.message, retryAfterMs: error.retryAfterMs };
  }
  const e = (error ?? {}) as RestErrorLike;
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const aborted = e.name === 'AbortError';
  const retryable = aborted || statusCode === undefined || isTemporaryStatus(statusCode);
  const ms = Number(header(e, 'retry-after-ms') ?? header(e, 'x-ms-retry-after-ms'));
  const retryAfterMs = Number.isFinite(ms) && ms >= 0 ? ms : parseRetryAfter(header(e, 'retry-after'), now);
  const text = typeof e.message === 'string' && e.message.length > 0 ? e.message : String(error);
  return {
    retryable,
    aborted,
    statusCode,
    code: typeof e.code === 'string' ? e.code : undefined,
    message: text.length > 300 ? `${text.slice(0, 300)}…` : text,
    retryAfterMs,
  };
}
