import { describe, expect, it } from 'vitest';
import { sentinelConnector } from '../../../../connectors/sentinel/descriptor.js';
import { sentinelIdentity } from '../../../../connectors/sentinel/sentinel-identity.js';
import { credentialFor } from '../../../../src/auth/credential.js';
import { loadConfig } from '../../../../src/config/load.js';
import { SECRET_NAMES } from '../../../../src/config/schema.js';

const base = { SENTINEL_INGESTION_ENDPOINT: 'https://dce.eastus-1.ingest.monitor.azure.com', SENTINEL_DCR_ID: 'dcr-0123456789abcdef0123456789abcdef' };
const workspace = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/customer-a';
const tenant = { name: 'contoso', MDE_CLOUD: 'gcc' as const, MDE_CERTIFICATE_SEND_X5C: false, MDE_AUTHORITY_HOST: 'login.example.test', MDE_TIMEOUT_MS: 15_000 };

describe('SENTINEL_WORKSPACES', () => {
  it('lists workspace resource ids; * allows any; unset allows none', () => {
    expect(sentinelConnector.options(loadConfig({ ...base, SENTINEL_WORKSPACES: ` ${workspace} , ${workspace.toLowerCase()}` })).workspaces).toEqual([workspace, workspace.toLowerCase()]);
    expect(sentinelConnector.options(loadConfig({ ...base, SENTINEL_WORKSPACES: '*' })).workspaces).toBe('any');
    expect(sentinelConnector.options(loadConfig(base)).workspaces).toEqual([]);
  });

  it('refuses what is not a workspace id, or * among ids', () => {
    for (const value of [`${workspace}/providers/Microsoft.SecurityInsights/incidents/1`, 'customer-a', `*,${workspace}`]) {
      expect(() => loadConfig({ ...base, SINKS: 'sentinel', SENTINEL_WORKSPACES: value })).toThrow(/SENTINEL_WORKSPACES/);
    }
  });
});

describe("Sentinel's own identity", () => {
  it('is undefined without a SENTINEL_ credential: the tenant signs in with MDE_*', () => {
    expect(sentinelIdentity({ ...tenant })).toBeUndefined();
    expect(sentinelIdentity({ ...tenant, SENTINEL_CLOUD: 'gcc-high' })).toBeUndefined();
  });

  it("maps SENTINEL_* onto Entra sign-in settings, in Sentinel's cloud (GCC Defender, Azure Government Sentinel)", () => {
    const identity = sentinelIdentity({ ...tenant, SENTINEL_TENANT_ID: 'gov-tenant', SENTINEL_CLIENT_ID: 'gov-app', SENTINEL_CLIENT_SECRET: 's3cret', SENTINEL_CLOUD: 'gcc-high' });
    expect(identity).toEqual({
      name: 'contoso (Sentinel)',
      MDE_TENANT_ID: 'gov-tenant',
      MDE_CLIENT_ID: 'gov-app',
      MDE_CLIENT_SECRET: 's3cret',
      MDE_CERTIFICATE_PATH: undefined,
      MDE_CERTIFICATE_SEND_X5C: false,
      MDE_MANAGED_IDENTITY: undefined,
      MDE_CLOUD: 'gcc-high',
      // Defender's authority override is for Defender's cloud, not Sentinel's.
      MDE_AUTHORITY_HOST: undefined,
      MDE_TIMEOUT_MS: 15_000,
    });
    expect(identity && credentialFor(identity)).toEqual({ kind: 'secret', tenantId: 'gov-tenant', clientId: 'gov-app', clientSecret: 's3cret' });
  });

  it("keeps the tenant's cloud and authority when SENTINEL_CLOUD is not set; a managed identity alone suffices", () => {
    const identity = sentinelIdentity({ ...tenant, SENTINEL_MANAGED_IDENTITY: 'true' });
    expect(identity).toMatchObject({ MDE_CLOUD: 'gcc', MDE_AUTHORITY_HOST: 'login.example.test', MDE_MANAGED_IDENTITY: 'true' });
    expect(identity && credentialFor(identity)).toEqual({ kind: 'managed-identity', clientId: undefined });
  });

  it('takes endpoints from SENTINEL_CLOUD before MDE_CLOUD', () => {
    expect(sentinelConnector.options(loadConfig({ ...base, MDE_CLOUD: 'gcc', SENTINEL_CLOUD: 'gcc-high' }))).toMatchObject({
      audience: 'https://monitor.azure.us',
      armEndpoint: 'https://management.usgovcloudapi.net',
    });
  });

  it('validates the settings like the MDE_* ones, and keeps the secret secret', () => {
    expect(() => loadConfig({ ...base, SINKS: 'sentinel', SENTINEL_CLOUD: 'azure' })).toThrow(/SENTINEL_CLOUD/);
    expect(() => sentinelConnector.options(loadConfig({ ...base, SENTINEL_CLIENT_SECRET: 'x' }))).toThrow(/Sentinel credentials incomplete: set SENTINEL_TENANT_ID, SENTINEL_CLIENT_ID/);
    expect(() => sentinelConnector.options(loadConfig({ ...base, SENTINEL_CLIENT_SECRET: 'x', SENTINEL_MANAGED_IDENTITY: 'true' }))).toThrow(/set only one of/);
    expect(SECRET_NAMES).toContain('SENTINEL_CLIENT_SECRET');
  });
});
