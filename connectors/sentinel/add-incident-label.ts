import { IpenrichError } from '../../src/errors.js';
import type { HttpResponse } from '../../src/http/transport.js';
import { armError, armRequest, type ArmContext } from './arm-request.js';

/**
 * The writable IncidentProperties; everything else a GET returns (incidentNumber, createdTimeUtc,
 * lastModifiedTimeUtc, additionalData, relatedAnalyticRuleIds, incidentUrl, providerName,
 * providerIncidentId, and fields newer api-versions add) is read-only or unknown to us, so it is not
 * sent back. title, severity and status are required. Azure/azure-rest-api-specs securityinsights
 * stable/2024-09-01 Incidents.json `IncidentProperties`; labels' `labelType` is readOnly
 * (common/IncidentTypes.json `IncidentLabelType`).
 */
const WRITABLE = ['title', 'severity', 'status', 'description', 'classification', 'classificationComment', 'classificationReason', 'firstActivityTimeUtc', 'lastActivityTimeUtc', 'owner'];

/** Another writer changing the incident between our GET and PUT: try again with the new etag. */
const CONFLICT_ATTEMPTS = 3;

interface Incident {
  etag?: string;
  properties?: { labels?: { labelName?: string }[] } & Record<string, unknown>;
}

/**
 * Adds a label to the incident unless it is there: GET the incident, merge the label, PUT the
 * incident back with its etag (labels are only writable through a full incident PUT).
 * https://learn.microsoft.com/en-us/rest/api/securityinsights/incidents/create-or-update
 */
export async function addIncidentLabel(
  context: ArmContext,
  put: (send: () => Promise<HttpResponse>) => Promise<HttpResponse>,
  incidentArmId: string,
  label: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt += 1) {
    const current = await armRequest(context, 'GET', incidentArmId, undefined, signal);
    if (current.status !== 200) throw armError(current, 'Incident label not added (reading the incident)', context.now());
    let incident: Incident;
    try {
      incident = JSON.parse(current.body.toString('utf8')) as Incident;
    } catch {
      throw new IpenrichError('SINK_UNAVAILABLE', 'Incident label not added: Azure Resource Manager returned an unreadable incident');
    }
    const properties = incident.properties ?? {};
    const labels = Array.isArray(properties.labels) ? properties.labels : [];
    if (labels.some((existing) => existing.labelName === label)) return;

    const writable = Object.fromEntries(Object.entries(properties).filter(([key]) => WRITABLE.includes(key)));
    const body = {
      ...(incident.etag === undefined ? {} : { etag: incident.etag }),
      properties: { ...writable, labels: [...labels.map((l) => ({ labelName: l.labelName })), { labelName: label }] },
    };
    const updated = await put(() => armRequest(context, 'PUT', incidentArmId, body, signal));
    if (updated.status >= 200 && updated.status < 300) return;
    if (updated.status !== 409 && updated.status !== 412) throw armError(updated, 'Incident label not added', context.now());
  }
  throw new IpenrichError('SINK_UNAVAILABLE', `Incident label not added: the incident kept changing (etag conflict ${CONFLICT_ATTEMPTS} times)`);
}
