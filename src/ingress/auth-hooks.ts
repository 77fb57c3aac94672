import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasCode, IpenrichError } from '../errors.js';
import { matchApiKey } from './api-keys.js';
import { isLoopbackHostHeader } from './ingress-auth.js';
import type { Caller } from './caller.js';
import { sendError } from './error-reply.js';
import type { IngressApp, IngressDeps, RouteAccess } from './ingress-deps.js';
import type { RateDecision } from './rate-limit.js';
import { hasSignatureHeaders, signatureTimestampProblem, verifySignature, type VerifiedSignature } from './signing-secrets.js';

interface PresentedKey {
  readonly key: string;
  readonly via: 'header' | 'query-token';
}

function accessOf(request: FastifyRequest): RouteAccess {
  return request.routeOptions.config.access ?? 'caller';
}

/**
 * The key a request presents: `Authorization: Bearer <key>`, `x-api-key: <key>`, HTTP Basic with the
 * key as password (browsers, for /admin), or `?token=<key>` where allowed. `null`: an Authorization
 * header we cannot read, which is refused rather than ignored.
 */
function presentedKey(request: FastifyRequest, allowQueryToken: boolean): PresentedKey | undefined | null {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer?.[1]) return { key: bearer[1], via: 'header' };
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    const decoded = basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    const password = decoded.slice(decoded.indexOf(':') + 1);
    if (decoded.includes(':') && password.length > 0) return { key: password, via: 'header' };
    return null;
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return { key: header, via: 'header' };
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  if (allowQueryToken && request.routeOptions.config.queryToken === true && typeof token === 'string' && token.length > 0) {
    return { key: token, via: 'query-token' };
  }
  return undefined;
}

/**
 * Ends the connection once the answer is out: a client that failed authentication gets no more of
 * our time, and the rest of its body (possibly trickled on purpose) is never read.
 */
function closeAfterReply(reply: FastifyReply): void {
  reply.header('connection', 'close');
  reply.raw.once('finish', () => reply.raw.socket?.destroySoon());
}

function deny(request: FastifyRequest, reply: FastifyReply, message: string, code: 'UNAUTHORIZED' | 'SIGNATURE_REPLAYED' = 'UNAUTHORIZED'): FastifyReply {
  // Browsers show a login prompt for the dashboard; the key is the password.
  if (request.url.startsWith('/admin')) reply.header('www-authenticate', 'Basic realm="ipenrich admin", charset="UTF-8"');
  else reply.header('www-authenticate', 'Bearer realm="ipenrich"');
  closeAfterReply(reply);
  return sendError(reply, new IpenrichError(code, message));
}

/** What the body parser asks of the auth hooks. */
export interface BodyGate {
  /**
   * Whether the body (as received) may be parsed: false for a signed request whose signature does
   * not verify over it, which preValidation then answers 401 without the body ever being parsed.
   */
  admits(request: FastifyRequest, rawBody: string): boolean;
}

/**
 * Authentication, authorization and the per-caller rate limit, before any route runs:
 * - onRequest: API keys (constant-time hash comparison), then the rate limit, then operator-only
 *   routes; and a signature's timestamp (whole seconds, within 5 minutes). Nothing of the body is
 *   read for a request that fails here. While Redis is down the rate limit cannot be read and is
 *   skipped: /metrics and /healthz keep answering, and every route that needs Redis answers 503 on
 *   its own.
 * - the body parser (BodyGate): Standard Webhooks signatures, which need the body as received,
 *   are verified over the raw body before it is parsed; a body that fails is never parsed.
 * - preValidation: a signature that did not verify is refused; the signature covers method, path
 *   and query too, and a message id is accepted once (Redis). A signed request without a key is
 *   authenticated by its signature; with a key, both must hold.
 */
export function installAuth(app: IngressApp, deps: Pick<IngressDeps, 'auth' | 'guard' | 'rateLimit' | 'replay'>): BodyGate {
  const { auth, guard, rateLimit, replay } = deps;

  /** A request the signing secrets must authenticate (alone or beside a key). */
  function isSigned(request: FastifyRequest): boolean {
    return accessOf(request) !== 'public' && auth.secrets.length > 0 && hasSignatureHeaders(request.headers);
  }

  /** The signature over `rawBody`, verified once per request (by the body parser when there is a body). */
  function signatureOf(request: FastifyRequest, rawBody: string): VerifiedSignature | false {
    request.signature ??= verifySignature(auth.secrets, { method: request.method, target: request.url, body: rawBody }, request.headers) ?? false;
    return request.signature;
  }

  /** The caller's rate limit; undefined when Redis cannot say (fail open: every Redis-backed route answers 503 by itself). */
  async function rateDecision(caller: Caller): Promise<RateDecision | undefined> {
    try {
      return await guard(() => rateLimit.take(caller.id));
    } catch (error) {
      if (hasCode(error, 'REDIS_UNAVAILABLE')) return undefined;
      throw error;
    }
  }

  async function admit(request: FastifyRequest, reply: FastifyReply, caller: Caller): Promise<FastifyReply | undefined> {
    try {
      const decision = await rateDecision(caller);
      if (decision) reply.header('ratelimit-limit', String(decision.limit)).header('ratelimit-remaining', String(decision.remaining));
      if (decision && !decision.admitted) {
        throw new IpenrichError('RATE_LIMITED', `more than ${decision.limit} requests per minute for this caller; retry after the Retry-After seconds`, {
          retryAfterMs: decision.retryAfterMs,
        });
      }
      if (accessOf(request) === 'operator' && caller.tenant !== undefined) {
        throw new IpenrichError('FORBIDDEN', 'this endpoint needs an operator key (one not bound to a tenant)');
      }
    } catch (error) {
      return sendError(reply, error);
    }
    request.caller = caller;
    return undefined;
  }

  app.addHook('onRequest', async (request, reply) => {
    if (accessOf(request) === 'public') return undefined;
    const signed = isSigned(request);
    // A signature that cannot verify, told from its headers: refused before anything else is done
    // for it, its body unread. The clock is the reference library's (Date.now), which verifies it later.
    const timestampProblem = signed ? signatureTimestampProblem(request.headers, Date.now()) : undefined;
    if (timestampProblem !== undefined) return deny(request, reply, timestampProblem);
    const presented = presentedKey(request, auth.allowQueryToken);
    if (presented === null) return deny(request, reply, 'unsupported Authorization header: use Bearer <key> (or Basic with the key as password)');
    if (presented) {
      const key = matchApiKey(auth.keys, presented.key);
      if (!key) return deny(request, reply, 'the API key is not valid');
      return admit(request, reply, { id: key.id, tenant: key.tenant, via: presented.via });
    }
    // Authenticated by its signature once the body is read (and before it is parsed).
    if (signed) return undefined;
    if (auth.insecure) {
      if (!isLoopbackHostHeader(request.headers.host)) {
        closeAfterReply(reply);
        return sendError(reply, new IpenrichError('FORBIDDEN', 'INGRESS_INSECURE_NO_AUTH answers requests to localhost, 127.0.0.1 or [::1] only; send an API key otherwise'));
      }
      return admit(request, reply, { id: 'insecure', tenant: undefined, via: 'insecure' });
    }
    if ((request.query as Record<string, unknown> | undefined)?.token !== undefined) {
      const why = auth.allowQueryToken ? 'this endpoint does not take ?token=' : '?token= is turned off (INGRESS_ALLOW_QUERY_TOKEN)';
      return deny(request, reply, `${why}; send the key in Authorization: Bearer <key> or x-api-key`);
    }
    return deny(request, reply, 'send an API key: Authorization: Bearer <key>, or x-api-key: <key>');
  });

  app.addHook('preValidation', async (request, reply) => {
    if (!isSigned(request)) return undefined;
    // Verified by the body parser already when there was a body.
    const verified = signatureOf(request, request.rawBody ?? '');
    if (!verified) {
      return deny(request, reply, 'the signature does not verify (wrong secret; altered body, method, path or query; or timestamp off by more than 5 minutes); see docs/playbooks.md for what is signed');
    }
    const { secret } = verified;
    try {
      if (!(await guard(() => replay.firstUse(secret.id, verified.messageId, verified.timestamp)))) {
        return deny(request, reply, 'this webhook-id was already used; sign every request with a new id', 'SIGNATURE_REPLAYED');
      }
    } catch (error) {
      return sendError(reply, error);
    }
    const keyed = request.caller;
    if (!keyed) return admit(request, reply, { id: secret.id, tenant: secret.tenant, via: 'signature' });
    if (keyed.tenant !== undefined && secret.tenant !== undefined && keyed.tenant !== secret.tenant) {
      return sendError(reply, new IpenrichError('FORBIDDEN', 'the API key and the signing secret are bound to different tenants'));
    }
    // The narrower binding wins: a signing secret bound to a tenant binds an operator key's request.
    request.caller = { ...keyed, tenant: keyed.tenant ?? secret.tenant };
    return undefined;
  });

  return { admits: (request, rawBody) => !isSigned(request) || signatureOf(request, rawBody) !== false };
}
