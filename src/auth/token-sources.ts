import { createHash } from 'node:crypto';
import type { HttpTransport } from '../http/transport.js';
import type { Logger } from '../log.js';
import type { AccessTokenSource } from './access-token-source.js';
import { credentialFor, type EntraCredential, type EntraSettings } from './credential.js';
import { normalizeAuthorityHost } from './authority.js';
import { MsalTokenSource } from './msal-token-source.js';

export interface TokenSources {
  /** The token source of a tenant; the same instance (and msal token cache) for the same credential. */
  forTenant(tenant: EntraSettings): AccessTokenSource;
}

/** Identity of a credential, so tenants that share one also share its msal client and cache. */
function credentialKey(credential: EntraCredential, tenant: EntraSettings): string {
  const host = tenant.MDE_AUTHORITY_HOST === undefined ? tenant.MDE_CLOUD : normalizeAuthorityHost(tenant.MDE_AUTHORITY_HOST);
  const material =
    credential.kind === 'secret'
      ? `secret|${credential.tenantId}|${credential.clientId}|${credential.clientSecret}`
      : credential.kind === 'certificate'
        ? `certificate|${credential.tenantId}|${credential.clientId}|${credential.certificate.thumbprintSha256}|${credential.sendX5c}`
        : `managed-identity|${credential.clientId ?? 'system'}`;
  // Hashed so the map's keys never hold a secret in clear.
  return createHash('sha256').update(`${host}|${material}|${tenant.MDE_TIMEOUT_MS}`).digest('hex');
}

export function createTokenSources(deps: { transport: HttpTransport; logger?: Logger }): TokenSources {
  const sources = new Map<string, AccessTokenSource>();
  // Tenant configs are frozen: remember the answer so a certificate file is read once, not per call.
  const byTenant = new WeakMap<EntraSettings, AccessTokenSource>();
  return {
    forTenant(tenant) {
      const known = byTenant.get(tenant);
      if (known) return known;
      const credential = credentialFor(tenant);
      const key = credentialKey(credential, tenant);
      let source = sources.get(key);
      if (!source) {
        source = new MsalTokenSource({
          tenantName: tenant.name,
          credential,
          cloud: tenant.MDE_CLOUD,
          authorityHost: tenant.MDE_AUTHORITY_HOST,
          transport: deps.transport,
          timeoutMs: tenant.MDE_TIMEOUT_MS,
          ...(deps.logger ? { logger: deps.logger } : {}),
        });
        sources.set(key, source);
      }
      byTenant.set(tenant, source);
      return source;
    },
  };
}
