import type { Cloud } from '../../auth/cloud.js';

/**
 * Where Microsoft Graph lives per cloud, and the token scope it wants. runHuntingQuery is available
 * in the global service, US Gov L4 and US Gov L5 (DoD), not in 21Vianet:
 * https://learn.microsoft.com/en-us/graph/api/security-security-runhuntingquery (docs/hunting.md).
 * GCC tenants use the global Graph service. GRAPH_BASE_URL overrides the host (a proxy or the
 * emulator) and keeps the cloud's scope, as MDE_API_BASE_URL does for Defender.
 */
const GRAPH_HOSTS: Readonly<Record<Cloud, string>> = {
  commercial: 'https://graph.microsoft.com',
  gcc: 'https://graph.microsoft.com',
  'gcc-high': 'https://graph.microsoft.us',
  dod: 'https://dod-graph.microsoft.us',
};

export interface GraphLocationSettings {
  readonly MDE_CLOUD: Cloud;
  readonly GRAPH_BASE_URL?: string | undefined;
}

/** Base URL without a trailing slash (the API version is added by the caller). */
export function graphBase(settings: GraphLocationSettings): string {
  return (settings.GRAPH_BASE_URL ?? GRAPH_HOSTS[settings.MDE_CLOUD]).replace(/\/+$/, '');
}

export function graphScope(settings: GraphLocationSettings): string {
  return `${GRAPH_HOSTS[settings.MDE_CLOUD]}/.default`;
}
