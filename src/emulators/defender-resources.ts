/**
 * Token audiences (resources) that mean "Defender for Endpoint API": the commercial App ID URIs
 * (https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-create-app-webapp), and, from third-party scripts only
 * (unconfirmed; MDE_SCOPE overrides the audience ipenrich asks for), the WindowsDefenderATP application id and the government hosts.
 */
export const DEFENDER_RESOURCES: readonly string[] = [
  'https://api.securitycenter.microsoft.com',
  'https://securitycenter.onmicrosoft.com/windowsatpservice',
  'fc780465-2017-40d4-a0c5-307022471b92',
  'https://api-gcc.securitycenter.microsoft.us',
  'https://api-gov.securitycenter.microsoft.us',
  'https://api.securitycenter.microsoft.us',
];

/** Other Azure resources ipenrich asks tokens for (Sentinel write-back), so one Entra emulator serves all. */
export const OTHER_AZURE_RESOURCES: readonly string[] = ['https://monitor.azure.com', 'https://management.azure.com'];

/** The application permission the Defender "Get IP statistics" API requires. */
export const IP_READ_ALL = 'Ip.Read.All';

/** Microsoft Graph token audiences per cloud (global, US Gov L4, US Gov L5): the Graph emulator accepts these. */
export const GRAPH_RESOURCES: readonly string[] = ['https://graph.microsoft.com', 'https://graph.microsoft.us', 'https://dod-graph.microsoft.us'];

/** The application permission Graph's runHuntingQuery requires. */
export const THREAT_HUNTING_READ_ALL = 'ThreatHunting.Read.All';
