import type { Cloud } from './cloud.js';
import { IpenrichError } from '../errors.js';
import { loadClientCertificate, type ClientCertificate } from './certificate.js';

/** How one tenant proves who it is to Entra ID: exactly one of these per tenant. */
export type EntraCredential =
  | { readonly kind: 'secret'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly kind: 'certificate';
      readonly tenantId: string;
      readonly clientId: string;
      readonly certificate: ClientCertificate;
      readonly sendX5c: boolean;
    }
  /** `clientId` absent: the system-assigned identity. */
  | { readonly kind: 'managed-identity'; readonly clientId: string | undefined };

/**
 * The settings that say how a tenant signs in to Entra ID, by their configuration names (a tenant's
 * configuration is one; src/auth does not depend on the configuration module).
 */
export interface EntraSettings {
  /** The tenant's name inside ipenrich, for messages. */
  readonly name: string;
  readonly MDE_TENANT_ID?: string | undefined;
  readonly MDE_CLIENT_ID?: string | undefined;
  readonly MDE_CLIENT_SECRET?: string | undefined;
  readonly MDE_CERTIFICATE_PATH?: string | undefined;
  readonly MDE_CERTIFICATE_SEND_X5C: boolean;
  readonly MDE_MANAGED_IDENTITY?: string | undefined;
  readonly MDE_CLOUD: Cloud;
  readonly MDE_AUTHORITY_HOST?: string | undefined;
  readonly MDE_TIMEOUT_MS: number;
}

type CredentialSettings = Pick<EntraSettings, 'name' | 'MDE_TENANT_ID' | 'MDE_CLIENT_ID' | 'MDE_CLIENT_SECRET' | 'MDE_CERTIFICATE_PATH' | 'MDE_CERTIFICATE_SEND_X5C' | 'MDE_MANAGED_IDENTITY'>;

/**
 * Picks the credential from the tenant's settings. Ambiguity is an error rather than a silent
 * precedence: an operator who set both a secret and a certificate should learn which one is unused.
 */
export function credentialFor(tenant: CredentialSettings): EntraCredential {
  const where = tenant.name === 'default' ? '' : ` (tenant ${tenant.name})`;
  const given = [tenant.MDE_CLIENT_SECRET && 'MDE_CLIENT_SECRET', tenant.MDE_CERTIFICATE_PATH && 'MDE_CERTIFICATE_PATH', tenant.MDE_MANAGED_IDENTITY && 'MDE_MANAGED_IDENTITY'].filter(
    (name): name is string => typeof name === 'string',
  );
  if (given.length > 1) throw new IpenrichError('CONFIG_INVALID', `Set only one of ${given.join(', ')}${where}`);
  if (tenant.MDE_MANAGED_IDENTITY) {
    const value = tenant.MDE_MANAGED_IDENTITY.trim();
    return { kind: 'managed-identity', clientId: /^(true|1|yes|system)$/i.test(value) ? undefined : value };
  }
  const missing = [!tenant.MDE_TENANT_ID && 'MDE_TENANT_ID', !tenant.MDE_CLIENT_ID && 'MDE_CLIENT_ID', given.length === 0 && 'MDE_CLIENT_SECRET or MDE_CERTIFICATE_PATH or MDE_MANAGED_IDENTITY'].filter(
    (name): name is string => typeof name === 'string',
  );
  if (missing.length > 0 || !tenant.MDE_TENANT_ID || !tenant.MDE_CLIENT_ID) {
    throw new IpenrichError('CONFIG_INVALID', `Defender credentials incomplete${where}: set ${missing.join(', ')}`);
  }
  if (tenant.MDE_CERTIFICATE_PATH) {
    return {
      kind: 'certificate',
      tenantId: tenant.MDE_TENANT_ID,
      clientId: tenant.MDE_CLIENT_ID,
      certificate: loadClientCertificate(tenant.MDE_CERTIFICATE_PATH),
      sendX5c: tenant.MDE_CERTIFICATE_SEND_X5C,
    };
  }
  return { kind: 'secret', tenantId: tenant.MDE_TENANT_ID, clientId: tenant.MDE_CLIENT_ID, clientSecret: tenant.MDE_CLIENT_SECRET ?? '' };
}
