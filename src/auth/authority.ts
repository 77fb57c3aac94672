import type { Cloud } from './cloud.js';
import { IpenrichError } from '../errors.js';

/**
 * Where Entra ID lives for a tenant: login.microsoftonline.com for commercial and GCC, login.microsoftonline.us
 * for GCC High and DoD (https://learn.microsoft.com/en-us/defender-endpoint/gov, section "API"), or MDE_AUTHORITY_HOST
 * (host[:port]). msal-common knows both hosts without discovery (@azure/msal-common/src/authority/AuthorityMetadata.ts).
 */
const AUTHORITY_HOSTS: Readonly<Record<Cloud, string>> = {
  commercial: 'login.microsoftonline.com',
  gcc: 'login.microsoftonline.com',
  'gcc-high': 'login.microsoftonline.us',
  dod: 'login.microsoftonline.us',
};

/** Hosts msal-node has built-in metadata for: no discovery request is made for them. */
const MICROSOFT_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.usgovcloudapi.net',
  'login-us.microsoftonline.com',
  'login.chinacloudapi.cn',
  'login.sovcloud-identity.fr',
  'login.sovcloud-identity.de',
  'login.sovcloud-identity.sg',
]);

export interface AuthoritySettings {
  /** `https://{host}/{tenant}`. */
  readonly authority: string;
  /** host[:port], lower-case. */
  readonly host: string;
  readonly tokenEndpoint: string;
  /** The host itself when it is not a Microsoft one, so msal-node makes no instance discovery call. */
  readonly knownAuthorities: readonly string[];
  /**
   * The OpenID configuration msal-node would otherwise fetch, for non-Microsoft hosts: with it the
   * token POST is the only request, so any server that answers Entra's token endpoint works.
   */
  readonly authorityMetadata: string | undefined;
}

/** `host[:port]` from MDE_AUTHORITY_HOST, which may also be written as `https://host[:port][/]`. */
export function normalizeAuthorityHost(value: string): string {
  const text = value.trim().replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new IpenrichError('CONFIG_INVALID', `MDE_AUTHORITY_HOST: "${value}" is not host[:port] or an https:// URL`);
    }
    if (url.protocol !== 'https:') throw new IpenrichError('CONFIG_INVALID', 'MDE_AUTHORITY_HOST: Entra ID requires https (msal-node refuses other schemes)');
    if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
      throw new IpenrichError('CONFIG_INVALID', 'MDE_AUTHORITY_HOST: give only the host and port; the tenant id comes from MDE_TENANT_ID');
    }
    return url.host.toLowerCase();
  }
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(text)) {
    throw new IpenrichError('CONFIG_INVALID', `MDE_AUTHORITY_HOST: "${value}" is not host[:port]`);
  }
  return text.toLowerCase();
}

export function authorityFor(settings: { MDE_CLOUD: Cloud; MDE_AUTHORITY_HOST?: string | undefined }, tenantId: string): AuthoritySettings {
  const host = settings.MDE_AUTHORITY_HOST === undefined ? AUTHORITY_HOSTS[settings.MDE_CLOUD] : normalizeAuthorityHost(settings.MDE_AUTHORITY_HOST);
  const base = `https://${host}/${encodeURIComponent(tenantId)}`;
  const tokenEndpoint = `${base}/oauth2/v2.0/token`;
  const microsoft = MICROSOFT_HOSTS.has(host);
  return {
    authority: base,
    host,
    tokenEndpoint,
    knownAuthorities: microsoft ? [] : [host],
    authorityMetadata: microsoft
      ? undefined
      : JSON.stringify({
          token_endpoint: tokenEndpoint,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `${base}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
        }),
  };
}
