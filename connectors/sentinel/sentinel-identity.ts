import type { Cloud } from '../../src/auth/cloud.js';
import type { EntraSettings } from '../../src/auth/credential.js';
import type { TenantSignIn } from '../../src/sinks/connector.js';

/** Sentinel's own sign-in settings, when its workspace trusts another identity (or cloud) than Defender. */
export interface SentinelIdentitySettings {
  readonly SENTINEL_TENANT_ID?: string | undefined;
  readonly SENTINEL_CLIENT_ID?: string | undefined;
  readonly SENTINEL_CLIENT_SECRET?: string | undefined;
  readonly SENTINEL_CERTIFICATE_PATH?: string | undefined;
  readonly SENTINEL_MANAGED_IDENTITY?: string | undefined;
  readonly SENTINEL_CLOUD?: Cloud | undefined;
}

/** The settings that make Sentinel sign in on its own; SENTINEL_CLOUD alone only picks endpoints. */
const SENTINEL_CREDENTIAL_SETTINGS = ['SENTINEL_TENANT_ID', 'SENTINEL_CLIENT_ID', 'SENTINEL_CLIENT_SECRET', 'SENTINEL_CERTIFICATE_PATH', 'SENTINEL_MANAGED_IDENTITY'] as const;

/**
 * The Entra sign-in for Sentinel's tokens (Logs Ingestion and ARM): its own when any SENTINEL_
 * credential is set, else undefined, meaning the tenant's MDE_* credential. A GCC tenant whose
 * Sentinel lives in Azure Government signs in at login.microsoftonline.us for it (docs/mssp.md, "Microsoft Sentinel and
 * Azure Lighthouse"; https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud),
 * so SENTINEL_CLOUD picks the authority; the tenant's MDE_AUTHORITY_HOST (an override for its own
 * cloud) carries over only when the clouds are the same.
 */
export function sentinelIdentity(settings: SentinelIdentitySettings & TenantSignIn): EntraSettings | undefined {
  if (!SENTINEL_CREDENTIAL_SETTINGS.some((name) => settings[name] !== undefined)) return undefined;
  const cloud = settings.SENTINEL_CLOUD ?? settings.MDE_CLOUD;
  return {
    name: `${settings.name} (Sentinel)`,
    MDE_TENANT_ID: settings.SENTINEL_TENANT_ID,
    MDE_CLIENT_ID: settings.SENTINEL_CLIENT_ID,
    MDE_CLIENT_SECRET: settings.SENTINEL_CLIENT_SECRET,
    MDE_CERTIFICATE_PATH: settings.SENTINEL_CERTIFICATE_PATH,
    MDE_CERTIFICATE_SEND_X5C: settings.MDE_CERTIFICATE_SEND_X5C,
    MDE_MANAGED_IDENTITY: settings.SENTINEL_MANAGED_IDENTITY,
    MDE_CLOUD: cloud,
    MDE_AUTHORITY_HOST: cloud === settings.MDE_CLOUD ? settings.MDE_AUTHORITY_HOST : undefined,
    MDE_TIMEOUT_MS: settings.MDE_TIMEOUT_MS,
  };
}
