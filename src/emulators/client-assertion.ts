import { constants, createHash, verify, X509Certificate } from 'node:crypto';

/**
 * Checks a client assertion JWT the way Entra ID does for certificate credentials
 * (https://learn.microsoft.com/entra/identity-platform/certificate-credentials; msal-node builds it in src/client/ClientAssertion.ts):
 * the header names a registered certificate by `x5t` (SHA-1) or `x5t#S256` (SHA-256) thumbprint,
 * the signature verifies with that certificate's key (RS256 or PS256), `iss` = `sub` = client id,
 * `aud` is the token endpoint, and the time window holds.
 */
export type AssertionCheck = { ok: true } | { ok: false; aadsts: number; description: string };

interface AssertionHeader {
  alg?: string;
  x5t?: string;
  'x5t#S256'?: string;
}

interface AssertionClaims {
  aud?: string;
  iss?: string;
  sub?: string;
  exp?: number;
  nbf?: number;
}

const SKEW_SECONDS = 300;

function decodePart<T>(part: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function checkClientAssertion(
  assertion: string,
  expected: { clientId: string; audiences: readonly string[]; certificates: readonly string[]; nowMs?: number },
): AssertionCheck {
  const parts = assertion.split('.');
  const header = parts.length === 3 ? decodePart<AssertionHeader>(parts[0] ?? '') : undefined;
  const claims = parts.length === 3 ? decodePart<AssertionClaims>(parts[1] ?? '') : undefined;
  if (!header || !claims) return { ok: false, aadsts: 50027, description: 'JWT token is invalid or malformed.' };

  const certificates = expected.certificates.map((pem) => new X509Certificate(pem));
  const match = certificates.find((cert) => {
    if (header['x5t#S256']) return createHash('sha256').update(cert.raw).digest('base64url') === header['x5t#S256'];
    if (header.x5t) return createHash('sha1').update(cert.raw).digest('base64url') === header.x5t;
    return false;
  });
  if (!match) {
    return {
      ok: false,
      aadsts: 700027,
      description: `Client assertion failed signature validation. (Reason - The key was not found., Thumbprint of key used by client: '${header['x5t#S256'] ?? header.x5t ?? ''}'.)`,
    };
  }
  const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2] ?? '', 'base64url');
  const valid =
    header.alg === 'RS256'
      ? verify('sha256', signingInput, match.publicKey, signature)
      : header.alg === 'PS256'
        ? verify('sha256', signingInput, { key: match.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)
        : false;
  if (!valid) return { ok: false, aadsts: 700027, description: 'Client assertion failed signature validation.' };

  if (claims.iss !== expected.clientId || claims.sub !== expected.clientId) {
    return { ok: false, aadsts: 700021, description: "Client assertion application identifier doesn't match 'client_id' parameter." };
  }
  if (claims.aud === undefined || !expected.audiences.includes(claims.aud)) {
    return { ok: false, aadsts: 50013, description: `Assertion audience '${String(claims.aud)}' does not match the token endpoint.` };
  }
  const now = Math.floor((expected.nowMs ?? Date.now()) / 1000);
  if (typeof claims.exp !== 'number' || claims.exp < now - SKEW_SECONDS || (typeof claims.nbf === 'number' && claims.nbf > now + SKEW_SECONDS)) {
    return { ok: false, aadsts: 700024, description: 'Client assertion is not within its valid time range.' };
  }
  return { ok: true };
}
