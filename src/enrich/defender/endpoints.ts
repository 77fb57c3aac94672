import type { Cloud } from '../../auth/cloud.js';
import { IpenrichError } from '../../errors.js';

/**
 * Where the Defender for Endpoint API lives and which token audience it wants, per cloud: regional hosts and the
 * commercial audience from https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-create-app-webapp,
 * government hosts from https://learn.microsoft.com/en-us/defender-endpoint/gov (section "API"; it names no government
 * audience). MDE_API_BASE_URL and MDE_SCOPE override; an overridden base URL does not
 * change the scope, because a proxy or emulator in front of Defender still wants Defender's audience.
 */
type DefenderRegion = 'us' | 'eu' | 'uk' | 'au' | 'swa' | 'ina';

export interface DefenderLocationSettings {
  readonly MDE_CLOUD: Cloud;
  readonly MDE_REGION?: DefenderRegion | undefined;
  readonly MDE_API_BASE_URL?: string | undefined;
  readonly MDE_SCOPE?: string | undefined;
}

const CLOUD_API_BASES: Readonly<Record<Cloud, string>> = {
  commercial: 'https://api.security.microsoft.com',
  gcc: 'https://api-gcc.securitycenter.microsoft.us',
  'gcc-high': 'https://api-gov.securitycenter.microsoft.us',
  dod: 'https://api-gov.securitycenter.microsoft.us',
};

/** Commercial uses the documented audience; the government scopes are unconfirmed, so `<apiBase>/.default`. */
const CLOUD_SCOPES: Readonly<Record<Cloud, string>> = {
  commercial: 'https://api.securitycenter.microsoft.com/.default',
  gcc: 'https://api-gcc.securitycenter.microsoft.us/.default',
  'gcc-high': 'https://api-gov.securitycenter.microsoft.us/.default',
  dod: 'https://api-gov.securitycenter.microsoft.us/.default',
};

/** Base URL without a trailing slash. */
export function defenderApiBase(settings: DefenderLocationSettings): string {
  if (settings.MDE_API_BASE_URL !== undefined) return settings.MDE_API_BASE_URL.replace(/\/+$/, '');
  if (settings.MDE_REGION !== undefined) {
    if (settings.MDE_CLOUD !== 'commercial') {
      throw new IpenrichError('CONFIG_INVALID', `MDE_REGION applies to the commercial cloud only; MDE_CLOUD is ${settings.MDE_CLOUD}`);
    }
    return `https://${settings.MDE_REGION}.api.security.microsoft.com`;
  }
  return CLOUD_API_BASES[settings.MDE_CLOUD];
}

export function defenderScope(settings: DefenderLocationSettings): string {
  return settings.MDE_SCOPE ?? CLOUD_SCOPES[settings.MDE_CLOUD];
}
