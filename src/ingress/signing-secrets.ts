import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { registerSecret } from '../secrets.js';

/** A caller that signs its requests per Standard Webhooks instead of (or besides) sending a key. */
export interface SigningSecret {
  /** Safe to log: a prefix of the secret's hash. */
  readonly id: string;
  readonly tenant: string | undefined;
  readonly verifier: Webhook;
}

const SECRET = /^whsec_[A-Za-z0-9+/=]{32,}$/;
const TENANT = /^[A-Za-z0-9_.-]+$/;

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * `webhook-timestamp` as Standard Webhooks defines it: whole seconds since the epoch. The reference
 * library reads it with parseInt, which takes `1700000000x` (or `17e8`) for a number; ipenrich
 * takes digits only.
 */
const TIMESTAMP = /^[0-9]{1,12}$/;

/** The reference library's tolerance (WEBHOOK_TOLERANCE_IN_SECONDS): a timestamp further from now does not verify. */
const TOLERANCE_S = 5 * 60;

/** Parses INGRESS_SIGNING_SECRETS entries `whsec_<base64>[@tenant]`; problems never quote a secret. */
export function parseSigningSecrets(entries: readonly string[], tenants: readonly string[]): { secrets: SigningSecret[]; problems: string[] } {
  const secrets: SigningSecret[] = [];
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    const where = `INGRESS_SIGNING_SECRETS entry ${index + 1}`;
    const at = entry.lastIndexOf('@');
    const secret = at === -1 ? entry : entry.slice(0, at);
    const tenant = at === -1 ? undefined : entry.slice(at + 1);
    if (tenant !== undefined && (!TENANT.test(tenant) || !tenants.includes(tenant))) {
      problems.push(`${where}: bound to a tenant that is not configured (configured: ${tenants.join(', ')})`);
      return;
    }
    if (!SECRET.test(secret)) {
      problems.push(`${where}: must be whsec_ followed by base64 (24-64 random bytes)`);
      return;
    }
    registerSecret(secret);
    let verifier: Webhook;
    try {
      verifier = new Webhook(secret);
    } catch {
      problems.push(`${where}: the part after whsec_ is not valid base64`);
      return;
    }
    const id = `sig-${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
    secrets.push({ id, tenant, verifier });
  });
  return { secrets, problems };
}

/** True when the request carries all three Standard Webhooks headers. */
export function hasSignatureHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return SIGNATURE_HEADERS.every((name) => typeof headers[name] === 'string');
}

/**
 * Why a signed request's `webhook-timestamp` cannot verify, told from the headers alone so that
 * nothing of the body is read for it: not whole seconds, or more than 5 minutes from `nowMs` (the
 * reference library's own clock, Date.now, by default); undefined when it may verify.
 */
export function signatureTimestampProblem(headers: Readonly<Record<string, string | string[] | undefined>>, nowMs = Date.now()): string | undefined {
  const value = headers['webhook-timestamp'];
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return 'webhook-timestamp is not an integer number of seconds since the Unix epoch (digits only)';
  const offset = Number(value) - Math.floor(nowMs / 1000);
  if (Math.abs(offset) > TOLERANCE_S) {
    return `webhook-timestamp is ${Math.abs(offset)} s ${offset < 0 ? 'in the past' : 'in the future'}, more than the ${TOLERANCE_S / 60} minutes a signature is good for (or the clocks differ)`;
  }
  return undefined;
}

/** What a signed request is: the parts of it the signature covers. */
export interface SignedRequest {
  readonly method: string;
  /** The request target exactly as sent: path and query, percent-encoding untouched. */
  readonly target: string;
  readonly body: string;
}

/**
 * The payload ipenrich verifies in place of the bare body: `{METHOD} {path?query}\n{body}`. The
 * reference library then signs `{webhook-id}.{webhook-timestamp}.{payload}`. A request target holds
 * no line break, so the first one ends it and no two requests share a payload.
 */
export function signedPayload(request: SignedRequest): string {
  return `${request.method.toUpperCase()} ${request.target}\n${request.body}`;
}

/** A verified signature: the secret that made it and the message id it may be used under once. */
export interface VerifiedSignature {
  readonly secret: SigningSecret;
  readonly messageId: string;
  /** Seconds since the epoch, from `webhook-timestamp`. */
  readonly timestamp: number;
}

/**
 * The secret whose signature over the request (see `signedPayload`) the request carries, or
 * undefined. The reference library checks the timestamp (±5 minutes) and compares in constant time;
 * replays within that window are the caller's (auth-hooks.ts) to refuse, by message id.
 */
export function verifySignature(
  secrets: readonly SigningSecret[],
  request: SignedRequest,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): VerifiedSignature | undefined {
  const signed: Record<string, string> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = headers[name];
    if (typeof value !== 'string') return undefined;
    signed[name] = value;
  }
  if (!TIMESTAMP.test(signed['webhook-timestamp'] ?? '')) return undefined;
  const payload = signedPayload(request);
  const secret = secrets.find((candidate) => {
    try {
      // Not JSON as a whole: only check the signature, the body is parsed by the route.
      candidate.verifier.verify(payload, signed, { jsonParse: false });
      return true;
    } catch {
      return false;
    }
  });
  return secret ? { secret, messageId: signed['webhook-id'] ?? '', timestamp: Number(signed['webhook-timestamp']) } : undefined;
}
