import type { FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_CODES, isIpenrichError, type ErrorCode } from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import type { PayloadIssue } from './alert-payload.js';

/** The one error shape of every non-2xx answer (see response-schemas.ts `errorBody`). */
export interface ErrorReply {
  readonly status: number;
  readonly body: { error: { code: ErrorCode; message: string; issues?: PayloadIssue[] } };
  /** Seconds, for the Retry-After header of 429 and 503. */
  readonly retryAfterSeconds?: number;
}

/** fastify's own errors for what the client sent, by fastify error code. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'INPUT_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INPUT_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INPUT_NOT_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INPUT_NOT_JSON',
};

/** fastify's names of a request's parts, as a client reads them. */
const PARTS: Readonly<Record<string, string>> = { params: 'path', querystring: 'query string', headers: 'headers', body: 'body' };

/** The ingress's configured limits, which the answers to fastify's refusals state. */
interface IngressLimits {
  /** INGRESS_BODY_LIMIT_BYTES: a 413 says it, so a caller (a playbook) knows what fits. */
  readonly bodyLimitBytes?: number;
}

const MESSAGES: Partial<Record<ErrorCode, (limits: IngressLimits) => string>> = {
  INPUT_TOO_LARGE: ({ bodyLimitBytes }) =>
    bodyLimitBytes === undefined
      ? 'the request body is larger than INGRESS_BODY_LIMIT_BYTES'
      : `the request body is larger than ${bodyLimitBytes} bytes (INGRESS_BODY_LIMIT_BYTES)`,
  UNSUPPORTED_MEDIA_TYPE: () => 'send the body as application/json',
};

function reply(code: ErrorCode, message: string, issues?: PayloadIssue[], retryAfterMs?: number): ErrorReply {
  const status = ERROR_CODES[code].http;
  return {
    status,
    body: { error: { code, message: scrubSecrets(message), ...(issues ? { issues } : {}) } },
    ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }),
  };
}

function issuesIn(details: Record<string, unknown> | undefined): PayloadIssue[] | undefined {
  const issues = details?.issues;
  return Array.isArray(issues) ? (issues as PayloadIssue[]) : undefined;
}

/**
 * Any error thrown while handling a request, as the answer the client gets. Our own errors keep
 * their code and message; what fastify says about the request (size, media type, JSON) becomes one
 * of our codes; anything else is a 500 that says nothing about the internals.
 */
export function errorReply(error: unknown, limits: IngressLimits = {}): ErrorReply {
  if (isIpenrichError(error)) {
    const issues = issuesIn(error.details);
    // A 500 is a server-side failure: its message may name internals (hosts, settings); the log has it.
    const message = ERROR_CODES[error.code].http === 500 ? 'internal error; the ingress log has the details' : error.message;
    return reply(error.code, message, issues, error.retryAfterMs);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext ?? 'request';
    const issues = error.validation.map((issue) => ({
      path: [context, ...issue.instancePath.split('/').filter((part) => part.length > 0)].join('.'),
      message: issue.message ?? 'invalid',
    }));
    return reply('INPUT_INVALID', `the ${PARTS[context] ?? context} does not match the schema`, issues);
  }
  const fastifyError = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  const mapped = typeof fastifyError.code === 'string' ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return reply(mapped, MESSAGES[mapped]?.(limits) ?? String(fastifyError.message));
  if (error instanceof SyntaxError) return reply('INPUT_NOT_JSON', `the body is not valid JSON: ${error.message}`);
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) return reply('INPUT_INVALID', String(fastifyError.message));
  return reply('INTERNAL', 'internal error; the ingress log has the details');
}

/** Sends the error answer (with Retry-After for 429 and 503). Hooks use it too, so every error looks the same. */
export function sendError(reply: FastifyReply, error: unknown, limits: IngressLimits = {}): FastifyReply {
  const answer = errorReply(error, limits);
  // A 500 is a bug, logged with its stack; a 503 is an outage (Redis down) the runtime's connection
  // watch reports once, and each request's own line says it was refused (app.ts).
  if (answer.status === 500) reply.log.error({ err: error, reqId: reply.request.id }, 'request failed');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body);
}
