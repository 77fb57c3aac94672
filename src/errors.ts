/**
 * The one registry of error codes. Every error ipenrich raises on purpose is an `IpenrichError`
 * with a code from this table, and the table is the one place that says, per code:
 * - `job`: what a queued alert does when enrichment fails with it — `retry` (BullMQ backoff, counts
 *   an attempt), `wait` (delayed until the budget or Retry-After allows, counts none) or `fail`
 *   (dead-letter queue at once). A sink's error is `fail` for a refusal that will not change;
 * - `http`: the status the ingress answers with it (500 answers hide the message: a bug's details
 *   stay in the log);
 * - `exit`: the CLI's exit code — 2 for what the user fixes in the input or command line, 1 otherwise.
 * So they are part of the contract, not hints.
 *
 * docs/ERRORS.md documents every code; test/unit/errors.test.ts keeps the two in step.
 */
export type JobDisposition = 'retry' | 'wait' | 'fail';

export interface ErrorSpec {
  readonly job: JobDisposition;
  readonly http: number;
  readonly exit: typeof EXIT_CODES.failure | typeof EXIT_CODES.usage;
  /** Short, stable description for docs and `--help`-style output. */
  readonly summary: string;
}

export const ERROR_CODES = {
  // configuration and command line
  CONFIG_INVALID: { job: 'fail', http: 500, exit: 2, summary: 'The configuration (environment or IPENRICH_CONFIG file) is invalid.' },
  USAGE: { job: 'fail', http: 500, exit: 2, summary: 'The command line is wrong (unknown command, missing argument).' },
  INPUT_NOT_JSON: { job: 'fail', http: 400, exit: 2, summary: 'The input is not valid JSON.' },
  INPUT_TOO_LARGE: { job: 'fail', http: 413, exit: 2, summary: 'The input is larger than the configured maximum.' },
  INVALID_IP: { job: 'fail', http: 400, exit: 2, summary: 'The value is not a valid IP address in canonical form.' },

  // Entra ID token acquisition
  AUTH_FAILED: { job: 'fail', http: 500, exit: 1, summary: 'Entra ID refused the credentials (wrong secret/certificate, client or tenant).' },
  AUTH_CONSENT_REQUIRED: { job: 'fail', http: 500, exit: 1, summary: 'The application lacks admin consent for the requested permission.' },
  AUTH_UNAVAILABLE: { job: 'retry', http: 500, exit: 1, summary: 'The token endpoint could not be reached or failed temporarily.' },

  // Defender for Endpoint API
  MDE_BAD_REQUEST: { job: 'fail', http: 500, exit: 1, summary: 'Defender rejected the request (400), e.g. an IP it considers invalid.' },
  MDE_UNAUTHORIZED: { job: 'fail', http: 500, exit: 1, summary: 'Defender answered 401 even with a freshly acquired token.' },
  MDE_FORBIDDEN: { job: 'fail', http: 500, exit: 1, summary: 'Defender answered 403: the app needs the Ip.Read.All application permission with admin consent.' },
  MDE_THROTTLED: { job: 'wait', http: 500, exit: 1, summary: 'Defender answered 429; the shared limiter sets a global cooldown from Retry-After.' },
  MDE_SERVER_ERROR: { job: 'retry', http: 500, exit: 1, summary: 'Defender answered with a 5xx status.' },
  MDE_TIMEOUT: { job: 'retry', http: 500, exit: 1, summary: 'The request to Defender timed out.' },
  MDE_NETWORK: { job: 'retry', http: 500, exit: 1, summary: 'The connection to Defender failed (DNS, TLS, reset, proxy).' },
  MDE_BAD_RESPONSE: { job: 'retry', http: 500, exit: 1, summary: 'Defender answered 2xx with a body that does not match the documented shape.' },

  // Microsoft Graph advanced hunting (MDE_SOURCE=hunting|auto, docs/hunting.md)
  HUNTING_REFUSED: { job: 'fail', http: 500, exit: 1, summary: 'Graph refused the hunting query (400, 401 with a fresh token, 403: the app needs ThreatHunting.Read.All with admin consent).' },
  HUNTING_THROTTLED: { job: 'wait', http: 500, exit: 1, summary: 'Graph answered 429 to a hunting query (calls per minute or the CPU quota); hunting pauses for the tenant.' },
  HUNTING_UNAVAILABLE: { job: 'retry', http: 500, exit: 1, summary: 'A hunting query failed temporarily (5xx, 408, timeout, connection error).' },
  HUNTING_BAD_RESPONSE: { job: 'retry', http: 500, exit: 1, summary: 'Graph answered a hunting query with a body that is not the documented huntingQueryResults.' },

  // budget
  BUDGET_DEFERRED: { job: 'wait', http: 500, exit: 1, summary: 'The API budget cannot serve the request before its deadline; the job is deferred.' },

  // Redis
  REDIS_UNAVAILABLE: { job: 'retry', http: 503, exit: 1, summary: 'Redis cannot be reached.' },

  // sinks
  SINK_REJECTED: { job: 'fail', http: 500, exit: 1, summary: 'Splunk HEC or Sentinel refused the delivery with a non-retryable status (4xx other than 408/429).' },
  SINK_UNAVAILABLE: { job: 'retry', http: 500, exit: 1, summary: 'A sink failed temporarily (5xx, 408, 429, timeout, connection error; for the webhook, any non-2xx but 410).' },
  SINK_DISABLED: { job: 'fail', http: 500, exit: 1, summary: 'The webhook endpoint answered 410 Gone and is disabled.' },
  CALLBACK_URL_REFUSED: { job: 'fail', http: 400, exit: 2, summary: 'A per-alert callback URL is not allowed by the callback allowlist.' },

  // ingress (HTTP API)
  UNAUTHORIZED: { job: 'fail', http: 401, exit: 1, summary: 'No valid API key or request signature was presented (HTTP 401).' },
  SIGNATURE_REPLAYED: { job: 'fail', http: 401, exit: 1, summary: 'A signed request reused a webhook-id that was already accepted (HTTP 401).' },
  FORBIDDEN: { job: 'fail', http: 403, exit: 1, summary: 'The API key may not do this: another tenant, or an operator-only endpoint (HTTP 403).' },
  RATE_LIMITED: { job: 'retry', http: 429, exit: 1, summary: 'Too many requests for this API key (HTTP 429); retry after Retry-After seconds.' },
  BACKLOG_FULL: { job: 'retry', http: 429, exit: 1, summary: 'The tenant has TENANT_MAX_PENDING_ALERTS alerts pending; nothing was queued (HTTP 429); retry after Retry-After seconds.' },
  UNSUPPORTED_MEDIA_TYPE: { job: 'fail', http: 415, exit: 1, summary: 'The request body is not application/json (HTTP 415).' },
  INPUT_INVALID: { job: 'fail', http: 400, exit: 2, summary: 'The request does not match the endpoint schema (HTTP 400, with the issues).' },
  TENANT_UNKNOWN: { job: 'fail', http: 400, exit: 2, summary: 'The request names a tenant that is not configured (HTTP 400).' },
  NOT_FOUND: { job: 'fail', http: 404, exit: 1, summary: 'No such endpoint or job (HTTP 404).' },
  // 422, a final 4xx: Logic Apps and most SOAR clients retry 408, 429 and 5xx, and a job that failed
  // for good will not change (a 200 would make the playbook's action succeed with an error body).
  JOB_FAILED: { job: 'fail', http: 422, exit: 1, summary: 'The alert\'s job failed permanently; it is in the dead-letter queue.' },

  // worker
  JOB_INVALID: { job: 'fail', http: 500, exit: 1, summary: 'A queued job does not match the job schema.' },
  INTERNAL: { job: 'fail', http: 500, exit: 1, summary: 'An unexpected internal error (a bug); the job is kept in the dead-letter queue.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Every exit code of the CLI: an error's is its registry entry's `exit` (1 or 2); `worker` and
 * `serve --worker` add one of their own for a shutdown that had to leave jobs behind (the timeout
 * ran out, or a second signal came; a second signal also ends a plain `serve` with it): nothing is
 * lost, another worker recovers them once their lock expires, but the drain was not clean.
 * docs/ERRORS.md lists them; test/unit/errors.test.ts keeps the two in step.
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  shutdownForced: 3,
} as const;

export interface IpenrichErrorOptions {
  cause?: unknown;
  /** HTTP status of the upstream response, when the error came from one. */
  statusCode?: number;
  /** How long to wait before trying again, when the upstream said (Retry-After) or the limiter knows. */
  retryAfterMs?: number;
  /** Structured, secret-free context for logs and results. */
  details?: Record<string, unknown>;
}

export class IpenrichError extends Error {
  override readonly name = 'IpenrichError';
  readonly code: ErrorCode;
  /** False when the registry says the job fails at once (`job: 'fail'`). */
  readonly retryable: boolean;
  readonly onJob: JobDisposition;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: IpenrichErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.onJob = ERROR_CODES[code].job;
    this.retryable = this.onJob !== 'fail';
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  /** The shape that goes into results, job failure reasons and HTTP error bodies. */
  toJSON(): { code: ErrorCode; message: string; retryable: boolean; statusCode?: number; retryAfterMs?: number } {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.statusCode === undefined ? {} : { statusCode: this.statusCode }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

export function isIpenrichError(value: unknown): value is IpenrichError {
  return value instanceof IpenrichError;
}

export function hasCode(value: unknown, code: ErrorCode): value is IpenrichError {
  return isIpenrichError(value) && value.code === code;
}

/** Any thrown value as an IpenrichError: ours pass through, anything else is INTERNAL. */
export function toIpenrichError(value: unknown): IpenrichError {
  if (isIpenrichError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new IpenrichError('INTERNAL', message, { cause: value });
}
