import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Access tokens the Entra emulator issues and the other emulators (Defender, and any sink emulator
 * that wants a real bearer check) verify: JWTs signed with HS256 under a key the emulators share, so
 * no registry has to be shared and a token from another emulator run is refused like a forged one.
 * Real Entra tokens are RS256 with published keys; clients treat both as opaque strings.
 */
export interface EmulatorTokenClaims {
  /** The resource: the requested scope without `/.default`. */
  readonly aud: string;
  readonly iss: string;
  /** Tenant id. */
  readonly tid: string;
  /** Client id of the application (or managed identity). */
  readonly appid: string;
  /** Application permissions granted with admin consent, e.g. `Ip.Read.All`. */
  readonly roles: readonly string[];
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  readonly idtyp: 'app';
  readonly ver: '1.0';
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export function signEmulatorToken(claims: EmulatorTokenClaims, key: Buffer): string {
  const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(createHmac('sha256', key).update(input).digest())}`;
}

export type TokenCheck = { ok: true; claims: EmulatorTokenClaims } | { ok: false; reason: string };

/** Checks signature, time validity (with Entra's 5 minutes of clock skew on nbf) and, when given, the audience. */
export function verifyEmulatorToken(token: string, key: Buffer, options: { nowMs?: number; audiences?: readonly string[] } = {}): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const [header = '', payload = '', signature = ''] = parts;
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid signature' };
  let claims: EmulatorTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as EmulatorTokenClaims;
  } catch {
    return { ok: false, reason: 'malformed claims' };
  }
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (claims.exp <= now) return { ok: false, reason: 'token expired' };
  if (claims.nbf > now + 300) return { ok: false, reason: 'token not yet valid' };
  if (options.audiences && !options.audiences.includes(claims.aud)) return { ok: false, reason: `audience ${claims.aud} not accepted` };
  return { ok: true, claims };
}
