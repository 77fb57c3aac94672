import { AuthError, ClientConfigurationError, ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { toAuthError } from '../../../src/auth/auth-error.js';
import { TokenEndpointUnavailable } from '../../../src/auth/msal-network-client.js';
import { HttpTransportError } from '../../../src/http/transport-error.js';
import { registerSecret } from '../../../src/secrets.js';

const context = { tenant: 'contoso', credential: 'secret' } as const;

/** A ServerError as msal-node builds it from an AADSTS error body (ResponseHandler.validateTokenResponse). */
function aadsts(code: number, error: string, text: string, status = 400): ServerError {
  const description = `AADSTS${code}: ${text}\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-01-15 12:00:00Z`;
  return new ServerError(error, '1111', `Error(s): ${code} - Timestamp: 2026-01-15 12:00:00Z - Description: ${description} - Correlation ID: 1111 - Trace ID: 0000`, undefined, String(code), status);
}

describe('token errors', () => {
  it.each([
    [7000215, 'invalid_client', 'AUTH_FAILED', /secret's Value/],
    [700016, 'unauthorized_client', 'AUTH_FAILED', /MDE_CLIENT_ID is not an application in tenant/],
    [90002, 'invalid_request', 'AUTH_FAILED', /MDE_TENANT_ID is not a tenant in this cloud/],
    [700027, 'invalid_client', 'AUTH_FAILED', /certificate is not registered/],
    [65001, 'invalid_grant', 'AUTH_CONSENT_REQUIRED', /admin consent .*Ip\.Read\.All/],
    [500011, 'invalid_resource', 'AUTH_CONSENT_REQUIRED', /MDE_SCOPE/],
    [1002012, 'invalid_scope', 'AUTH_FAILED', /MDE_SCOPE is not valid/],
    [9999999, 'invalid_request', 'AUTH_FAILED', /check MDE_TENANT_ID, MDE_CLIENT_ID/],
  ] as const)('AADSTS%i → %s with the code and a hint, not retryable', (code, error, expected, hint) => {
    const mapped = toAuthError(aadsts(code, error, 'What Entra ID said.'), context);
    expect(mapped.code).toBe(expected);
    expect(mapped.retryable).toBe(false);
    expect(mapped.message).toContain(`AADSTS${code} (${error}): What Entra ID said.`);
    expect(mapped.message).toMatch(hint);
    expect(mapped.message).toContain('tenant "contoso"');
    expect(mapped.message).not.toContain('Trace ID');
    expect(mapped.details).toMatchObject({ aadsts: String(code), error });
  });

  it('an unknown resource hints at the Sentinel settings when the scope is not Defender\'s', () => {
    const monitor = toAuthError(aadsts(500011, 'invalid_resource', 'Not found.'), { ...context, scope: 'https://monitor.azure.com/.default' });
    expect(monitor.code).toBe('AUTH_CONSENT_REQUIRED');
    expect(monitor.message).toMatch(/scope https:\/\/monitor\.azure\.com\/\.default is not known.*SENTINEL_AUDIENCE/);
    expect(monitor.message).not.toContain('Ip.Read.All');
    const defender = toAuthError(aadsts(500011, 'invalid_resource', 'Not found.'), { ...context, scope: 'https://api-gcc.securitycenter.microsoft.us/.default' });
    expect(defender.message).toMatch(/MDE_SCOPE/);
  });

  it('a 5xx or 429 from the token endpoint is AUTH_UNAVAILABLE with Retry-After', () => {
    const mapped = toAuthError(new TokenEndpointUnavailable({ kind: 'status', status: 503, retryAfterMs: 4_000, url: 'https://login.example/t/oauth2/v2.0/token' }), context);
    expect(mapped).toMatchObject({ code: 'AUTH_UNAVAILABLE', retryable: true, statusCode: 503, retryAfterMs: 4_000 });
  });

  it('no connection is AUTH_UNAVAILABLE and points at the network settings', () => {
    const transport = new HttpTransportError('network', { method: 'POST', url: 'https://login.example/t/oauth2/v2.0/token', headerNames: [] }, 'connect ECONNREFUSED');
    const mapped = toAuthError(new TokenEndpointUnavailable({ kind: 'transport', error: transport }), context);
    expect(mapped.code).toBe('AUTH_UNAVAILABLE');
    expect(mapped.message).toMatch(/ECONNREFUSED.*HTTPS_PROXY/);
  });

  it('msal configuration errors are CONFIG_INVALID; msal network errors AUTH_UNAVAILABLE', () => {
    expect(toAuthError(new ClientConfigurationError('invalid_authority', 'bad authority'), context).code).toBe('CONFIG_INVALID');
    expect(toAuthError(new AuthError('network_error', '', 'Network request failed'), context).code).toBe('AUTH_UNAVAILABLE');
  });

  it('scrubs a registered secret even when the upstream text quotes it', () => {
    registerSecret('s3cr3t-value-quoted');
    const mapped = toAuthError(aadsts(7000215, 'invalid_client', 'Secret s3cr3t-value-quoted is wrong.'), context);
    expect(mapped.message).not.toContain('s3cr3t-value-quoted');
    expect(mapped.message).toContain('[REDACTED]');
  });
});
