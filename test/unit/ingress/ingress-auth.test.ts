import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { hasCode } from '../../../src/errors.js';
import { generateApiKey, hashApiKey } from '../../../src/ingress/api-keys.js';
import { tenantFor, type Caller } from '../../../src/ingress/caller.js';
import { ingressAuthFromConfig, isLoopbackHost } from '../../../src/ingress/ingress-auth.js';

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    ingressAuthFromConfig(loadConfig(env));
  } catch (error) {
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the ingress to refuse this configuration');
}

describe('ingress start-up policy', () => {
  it('refuses to start without keys or signing secrets', () => {
    expect(refusal({})).toMatch(/needs INGRESS_API_KEYS/);
  });

  it('runs without authentication only when told to, and only on a loopback host', () => {
    expect(refusal({ INGRESS_INSECURE_NO_AUTH: 'true' })).toMatch(/loopback host only \(INGRESS_HOST=0\.0\.0\.0\)/);
    expect(refusal({ INGRESS_INSECURE_NO_AUTH: 'true', INGRESS_HOST: '192.168.1.5' })).toMatch(/loopback/);
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.1.2.3']) {
      expect(ingressAuthFromConfig(loadConfig({ INGRESS_INSECURE_NO_AUTH: 'true', INGRESS_HOST: host })).insecure, host).toBe(true);
    }
  });

  it('starts with a key, and reports every bad key entry at once', () => {
    const auth = ingressAuthFromConfig(loadConfig({ INGRESS_API_KEYS: hashApiKey(generateApiKey()) }));
    expect(auth.keys).toHaveLength(1);
    expect(auth.insecure).toBe(false);
    expect(refusal({ INGRESS_API_KEYS: 'sha256:xyz,tiny' })).toMatch(/entry 1.*entry 2/);
  });

  it('knows loopback hosts, including IPv4-mapped IPv6', () => {
    expect(['127.0.0.1', '[::1]', '::ffff:127.0.0.1', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com', 'localhost.example.com'].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });
});

describe('the tenant a request acts for', () => {
  const choice = { tenants: ['default', 'contoso', 'fabrikam'], defaultTenant: 'default' };
  const operator: Caller = { id: 'key-op', tenant: undefined, via: 'header' };
  const customer: Caller = { id: 'key-c', tenant: 'contoso', via: 'header' };

  it('binds a customer to its tenant and refuses any other', () => {
    expect(tenantFor(customer, undefined, choice)).toBe('contoso');
    expect(tenantFor(customer, 'contoso', choice)).toBe('contoso');
    expect(() => tenantFor(customer, 'fabrikam', choice)).toThrow(/bound to tenant "contoso"/);
    expect(() => tenantFor(customer, 'default', choice)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }) as Error);
  });

  it('lets an operator name any configured tenant, defaulting to the default one', () => {
    expect(tenantFor(operator, undefined, choice)).toBe('default');
    expect(tenantFor(operator, 'fabrikam', choice)).toBe('fabrikam');
    expect(() => tenantFor(operator, 'initech', choice)).toThrow(expect.objectContaining({ code: 'TENANT_UNKNOWN' }) as Error);
  });
});
