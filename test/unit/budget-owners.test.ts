import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { budgetOwners } from '../../src/config/budget-owners.js';
import { loadConfig } from '../../src/config/load.js';

const CONTOSO = '11111111-1111-1111-1111-111111111111';
const FABRIKAM = '22222222-2222-2222-2222-222222222222';

/** Four tenants: two business units of Contoso on one app, one on another app, Fabrikam on the first app. */
function owners(scope?: string): (tenant: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'ipe-budget-'));
  const file = join(dir, 'ipenrich.json');
  const tenant = (tenantId: string, clientId: string, extra: Record<string, string> = {}): Record<string, string> => ({
    MDE_TENANT_ID: tenantId,
    MDE_CLIENT_ID: clientId,
    MDE_CLIENT_SECRET: 'not-a-real-secret-value',
    ...extra,
  });
  writeFileSync(
    file,
    JSON.stringify({
      tenants: {
        'contoso-soc': tenant(CONTOSO, 'app-one'),
        'contoso-ot': tenant(CONTOSO.toUpperCase(), 'APP-ONE'),
        'contoso-dev': tenant(CONTOSO, 'app-two'),
        fabrikam: tenant(FABRIKAM, 'app-one'),
        'fabrikam-gov': tenant(FABRIKAM, 'app-one', { MDE_CLOUD: 'gcc-high' }),
      },
    }),
  );
  return budgetOwners(loadConfig({ IPENRICH_CONFIG: file, IPENRICH_DEFAULT_TENANT: 'fabrikam', ...(scope ? { MDE_BUDGET_SCOPE: scope } : {}) }));
}

describe('which API budget each tenant spends', () => {
  it('by default, every tenant of one Entra tenant shares the budget of the first of them by name (ids compared without case)', () => {
    const of = owners();
    expect(['contoso-soc', 'contoso-ot', 'contoso-dev'].map(of)).toEqual(['contoso-dev', 'contoso-dev', 'contoso-dev']);
    expect(of('fabrikam')).toBe('fabrikam');
    // Another cloud is another Defender service, so another budget.
    expect(of('fabrikam-gov')).toBe('fabrikam-gov');
  });

  it('tenant-app: only the same app in the same tenant shares', () => {
    const of = owners('tenant-app');
    expect(['contoso-soc', 'contoso-ot', 'contoso-dev', 'fabrikam'].map(of)).toEqual(['contoso-ot', 'contoso-ot', 'contoso-dev', 'fabrikam']);
  });

  it('app: one app shares across every customer', () => {
    const of = owners('app');
    expect(['contoso-soc', 'contoso-ot', 'contoso-dev', 'fabrikam'].map(of)).toEqual(['contoso-ot', 'contoso-ot', 'contoso-dev', 'contoso-ot']);
  });

  it('an unknown tenant keeps its own name', () => {
    expect(owners()('nobody')).toBe('nobody');
  });
});
