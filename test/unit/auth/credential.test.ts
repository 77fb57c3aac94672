import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialFor } from '../../../src/auth/credential.js';
import { loadConfig } from '../../../src/config/load.js';
import { hasCode } from '../../../src/errors.js';
import { makeClientCertificate } from '../../../src/emulators/client-certificate.js';

const ids = { MDE_TENANT_ID: '11111111-1111-1111-1111-111111111111', MDE_CLIENT_ID: '22222222-2222-2222-2222-222222222222' };

function tenantFrom(env: Record<string, string>) {
  const tenant = loadConfig(env).tenants.default;
  if (!tenant) throw new Error('no default tenant');
  return tenant;
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('credential selection', () => {
  it('client secret', () => {
    expect(credentialFor(tenantFrom({ ...ids, MDE_CLIENT_SECRET: 'a-client-secret' }))).toEqual({ kind: 'secret', ...{ tenantId: ids.MDE_TENANT_ID, clientId: ids.MDE_CLIENT_ID }, clientSecret: 'a-client-secret' });
  });

  it('certificate file, with x5c when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipe-cred-'));
    const path = join(dir, 'app.pem');
    writeFileSync(path, (await makeClientCertificate()).bundlePem);
    const credential = credentialFor(tenantFrom({ ...ids, MDE_CERTIFICATE_PATH: path, MDE_CERTIFICATE_SEND_X5C: 'true' }));
    expect(credential.kind).toBe('certificate');
    expect(credential.kind === 'certificate' && credential.sendX5c).toBe(true);
    expect(credential.kind === 'certificate' && credential.certificate.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('managed identity: system-assigned for "true", user-assigned for a client id; no tenant or client id needed', () => {
    expect(credentialFor(tenantFrom({ MDE_MANAGED_IDENTITY: 'true' }))).toEqual({ kind: 'managed-identity', clientId: undefined });
    expect(credentialFor(tenantFrom({ MDE_MANAGED_IDENTITY: '33333333-3333-3333-3333-333333333333' }))).toEqual({
      kind: 'managed-identity',
      clientId: '33333333-3333-3333-3333-333333333333',
    });
  });

  it('refuses two credentials at once, naming both', () => {
    const error = thrownBy(() => credentialFor(tenantFrom({ ...ids, MDE_CLIENT_SECRET: 'a-client-secret', MDE_MANAGED_IDENTITY: 'true' })));
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/MDE_CLIENT_SECRET, MDE_MANAGED_IDENTITY/);
    expect((error as Error).message).not.toContain('a-client-secret');
  });

  it('lists every missing setting', () => {
    const error = thrownBy(() => credentialFor(tenantFrom({ MDE_CLIENT_ID: ids.MDE_CLIENT_ID })));
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/MDE_TENANT_ID.*MDE_CLIENT_SECRET or MDE_CERTIFICATE_PATH or MDE_MANAGED_IDENTITY/);
  });

  it('an unreadable certificate path is a configuration error', () => {
    const error = thrownBy(() => credentialFor(tenantFrom({ ...ids, MDE_CERTIFICATE_PATH: '/nonexistent/app.pem' })));
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('ENOENT');
  });
});
