import { IpenrichError } from '../../src/errors.js';

/**
 * A Sentinel incident ARM id. It arrives inside alert data, so it is untrusted: only this exact
 * shape is used in a Resource Manager URL (with our token), never another resource type, and no
 * `.`/`..` segment that URL normalization could turn into a different path.
 */
const INCIDENT_ARM_ID =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[\w.()-]{1,90}\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9-]{4,63}\/providers\/Microsoft\.SecurityInsights\/incidents\/[A-Za-z0-9_-]{1,128}$/i;

export function checkIncidentArmId(value: string): string {
  const segments = value.split('/');
  if (!INCIDENT_ARM_ID.test(value) || segments.some((segment) => /^\.+$/.test(segment))) {
    throw new IpenrichError(
      'SINK_REJECTED',
      'incidentArmId is not a Microsoft Sentinel incident id (/subscriptions/…/workspaces/…/providers/Microsoft.SecurityInsights/incidents/…); no comment written',
      { details: { incidentArmId: value.slice(0, 300) } },
    );
  }
  return value;
}

/** The parts of a checked incident id that decide where it may be written and which limits apply. */
export function incidentScope(incidentArmId: string): { readonly subscriptionId: string; readonly workspaceId: string } {
  const [workspaceId = ''] = incidentArmId.split(/\/providers\/Microsoft\.SecurityInsights\//i);
  return { subscriptionId: (incidentArmId.split('/')[2] ?? '').toLowerCase(), workspaceId };
}
