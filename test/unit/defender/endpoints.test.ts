import { describe, expect, it } from 'vitest';
import { defenderApiBase, defenderScope } from '../../../src/enrich/defender/endpoints.js';
import { hasCode } from '../../../src/errors.js';

describe('Defender endpoints per cloud', () => {
  it.each([
    ['commercial', 'https://api.security.microsoft.com', 'https://api.securitycenter.microsoft.com/.default'],
    ['gcc', 'https://api-gcc.securitycenter.microsoft.us', 'https://api-gcc.securitycenter.microsoft.us/.default'],
    ['gcc-high', 'https://api-gov.securitycenter.microsoft.us', 'https://api-gov.securitycenter.microsoft.us/.default'],
    ['dod', 'https://api-gov.securitycenter.microsoft.us', 'https://api-gov.securitycenter.microsoft.us/.default'],
  ] as const)('%s: API %s, scope %s', (cloud, base, scope) => {
    expect(defenderApiBase({ MDE_CLOUD: cloud })).toBe(base);
    expect(defenderScope({ MDE_CLOUD: cloud })).toBe(scope);
  });

  it.each(['us', 'eu', 'uk', 'au', 'swa', 'ina'] as const)('commercial region %s uses its regional host', (region) => {
    expect(defenderApiBase({ MDE_CLOUD: 'commercial', MDE_REGION: region })).toBe(`https://${region}.api.security.microsoft.com`);
  });

  it('refuses a region outside the commercial cloud', () => {
    let thrown: unknown;
    try {
      defenderApiBase({ MDE_CLOUD: 'gcc-high', MDE_REGION: 'us' });
    } catch (error) {
      thrown = error;
    }
    expect(hasCode(thrown, 'CONFIG_INVALID')).toBe(true);
  });

  it('MDE_API_BASE_URL overrides the host (trailing slashes dropped) but not the scope', () => {
    const settings = { MDE_CLOUD: 'gcc' as const, MDE_REGION: undefined, MDE_API_BASE_URL: 'https://127.0.0.1:8443/' };
    expect(defenderApiBase(settings)).toBe('https://127.0.0.1:8443');
    expect(defenderScope(settings)).toBe('https://api-gcc.securitycenter.microsoft.us/.default');
  });

  it('MDE_SCOPE overrides the scope', () => {
    expect(defenderScope({ MDE_CLOUD: 'commercial', MDE_SCOPE: 'https://securitycenter.onmicrosoft.com/windowsatpservice/.default' })).toBe(
      'https://securitycenter.onmicrosoft.com/windowsatpservice/.default',
    );
  });
});
