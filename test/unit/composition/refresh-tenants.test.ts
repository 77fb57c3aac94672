import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refreshesAhead } from '../../../src/composition/refresh-from-config.js';
import { loadConfig } from '../../../src/config/load.js';

describe('which tenants refresh ahead', () => {
  it('those with CACHE_REFRESH_AHEAD, except a tenant on MDE_SOURCE=hunting, which has no IP stats budget to spend', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'refresh-tenants-')), 'tenants.json');
    writeFileSync(file, JSON.stringify({ tenants: { contoso: {}, fabrikam: { MDE_SOURCE: 'hunting' }, northwind: { MDE_SOURCE: 'auto' }, tailspin: { CACHE_REFRESH_AHEAD: 'false' } } }));
    const config = loadConfig({ IPENRICH_CONFIG: file, IPENRICH_DEFAULT_TENANT: 'contoso' });
    const refreshes = refreshesAhead(config);
    expect(['contoso', 'fabrikam', 'northwind', 'tailspin'].filter(refreshes)).toEqual(['contoso', 'northwind']);
  });
});
