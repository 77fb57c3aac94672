import { describe, expect, it } from 'vitest';
import { authorityFor, normalizeAuthorityHost } from '../../../src/auth/authority.js';
import { hasCode } from '../../../src/errors.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('Entra ID authority per cloud', () => {
  it.each([
    ['commercial', 'login.microsoftonline.com'],
    ['gcc', 'login.microsoftonline.com'],
    ['gcc-high', 'login.microsoftonline.us'],
    ['dod', 'login.microsoftonline.us'],
  ] as const)('%s signs in at %s with msal-node built-in metadata (no discovery settings)', (cloud, host) => {
    const settings = authorityFor({ MDE_CLOUD: cloud }, TENANT);
    expect(settings.authority).toBe(`https://${host}/${TENANT}`);
    expect(settings.tokenEndpoint).toBe(`https://${host}/${TENANT}/oauth2/v2.0/token`);
    expect(settings.knownAuthorities).toEqual([]);
    expect(settings.authorityMetadata).toBeUndefined();
  });

  it('MDE_AUTHORITY_HOST with a port becomes a known authority with metadata built from it', () => {
    const settings = authorityFor({ MDE_CLOUD: 'gcc-high', MDE_AUTHORITY_HOST: '127.0.0.1:8443' }, TENANT);
    expect(settings.authority).toBe(`https://127.0.0.1:8443/${TENANT}`);
    expect(settings.knownAuthorities).toEqual(['127.0.0.1:8443']);
    const metadata = JSON.parse(settings.authorityMetadata ?? '{}') as Record<string, string>;
    expect(metadata.token_endpoint).toBe(`https://127.0.0.1:8443/${TENANT}/oauth2/v2.0/token`);
    // msal-node accepts the metadata only with these fields (isOpenIdConfigResponse).
    for (const field of ['authorization_endpoint', 'token_endpoint', 'issuer', 'jwks_uri']) expect(metadata[field]).toMatch(/^https:\/\/127\.0\.0\.1:8443\//);
  });

  it('an override naming a Microsoft host keeps msal-node built-in metadata', () => {
    const settings = authorityFor({ MDE_CLOUD: 'commercial', MDE_AUTHORITY_HOST: 'login.microsoftonline.us' }, TENANT);
    expect(settings.authority).toBe(`https://login.microsoftonline.us/${TENANT}`);
    expect(settings.knownAuthorities).toEqual([]);
  });

  it('accepts the host written as an https URL, lower-cases it', () => {
    expect(normalizeAuthorityHost('https://Login.Example.COM:9443/')).toBe('login.example.com:9443');
    expect(normalizeAuthorityHost('LOCALHOST:8443')).toBe('localhost:8443');
  });

  it.each(['http://127.0.0.1:8443', 'https://login.example.com/tenant', 'login example', 'https://user@host'])('refuses %s', (value) => {
    expect(hasCode(thrownBy(() => normalizeAuthorityHost(value)), 'CONFIG_INVALID')).toBe(true);
  });
});
