/**
 * Request examples for the OpenAPI document: what a Logic Apps HTTP action and a Splunk webhook
 * alert action actually send. Values are placeholders. Splunk's shape is the documented one
 * (https://help.splunk.com/splunk-enterprise/alert-and-respond/alerting-manual/10.0/configure-alert-actions/use-a-webhook-alert-action).
 * What the Sentinel incident trigger carries is listed in https://learn.microsoft.com/azure/sentinel/automation/playbook-triggers-actions;
 * its JSON layout follows public playbooks, as Microsoft publishes no schema for it (unconfirmed).
 * docs/playbooks.md shows the full playbooks around them.
 */
interface Example {
  readonly summary: string;
  readonly description?: string;
  readonly value: unknown;
}

const INCIDENT_ARM_ID =
  '/subscriptions/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/resourceGroups/rg-sentinel/providers/Microsoft.OperationalInsights/workspaces/law-soc/providers/Microsoft.SecurityInsights/Incidents/6e1d0c9b-2a3f-4e5d-8c7b-9a0f1e2d3c4b';

const sentinelIncidentTrigger = {
  object: {
    id: INCIDENT_ARM_ID,
    name: '6e1d0c9b-2a3f-4e5d-8c7b-9a0f1e2d3c4b',
    type: 'Microsoft.SecurityInsights/Incidents',
    properties: {
      title: 'Multi-stage attack involving 2 hosts',
      severity: 'High',
      status: 'New',
      incidentNumber: 4127,
      createdTimeUtc: '2026-10-14T08:12:31Z',
      relatedEntities: [
        { kind: 'Ip', properties: { address: '45.155.205.233', friendlyName: '45.155.205.233' } },
        { kind: 'Host', properties: { hostName: 'srv-rdp-02', dnsDomain: 'corp.contoso.com' } },
      ],
    },
  },
  workspaceId: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f',
  workspaceInfo: { SubscriptionId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', ResourceGroupName: 'rg-sentinel', WorkspaceName: 'law-soc' },
};

const splunkWebhookAction = {
  result: { src_ip: '10.0.0.50', dest_ip: '203.0.113.77', user: 'svc_backup', action: 'failure', count: '47' },
  sid: 'scheduler_admin_search_W2_at_14232356_132',
  results_link: 'https://splunk.example.com:8000/app/search/@go?sid=scheduler_admin_search_W2_at_14232356_132',
  search_name: 'Excessive Failed Logins',
  owner: 'admin',
  app: 'search',
};

const graphAlert = {
  '@odata.type': '#microsoft.graph.security.alert',
  id: 'da637578995287051192_756343937',
  title: 'Suspicious connection to a rare external address',
  severity: 'medium',
  createdDateTime: '2026-10-14T08:01:12Z',
  evidence: [{ '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '91.219.236.18', roles: [] }],
};

const logicAppsIncident: Example = {
  summary: 'Logic Apps HTTP action (Microsoft Sentinel incident trigger)',
  description:
    'A playbook HTTP action with body `@triggerBody()`: the incident trigger payload as Sentinel sends it. Its incident ARM id (`object.id`) is kept in the result as `incidentArmId`, for "Add comment to incident".',
  value: sentinelIncidentTrigger,
};

const splunkAction: Example = {
  summary: 'Splunk webhook alert action',
  description:
    'What Splunk\'s built-in webhook action POSTs (the first result row, sid, search name, results link). It cannot set headers: use `?token=` (INGRESS_ALLOW_QUERY_TOKEN) and `?tenant=` in the URL.',
  value: splunkWebhookAction,
};

const envelope: Example = {
  summary: 'Envelope: an alert with a tenant and a callback URL',
  description: 'For MSSP routing and per-alert callbacks. A tenant-bound API key may only name its own tenant.',
  value: { alert: graphAlert, tenant: 'contoso', callbackUrl: 'https://soar.example.com/hooks/ipenrich' },
};

export const ENRICH_EXAMPLES: Record<string, Example> = {
  logicAppsIncident,
  splunkWebhookAction: splunkAction,
  graphSecurityAlert: { summary: 'Microsoft Graph security alert (alerts_v2)', value: graphAlert },
  envelope,
};

export const ALERTS_EXAMPLES: Record<string, Example> = {
  ...ENRICH_EXAMPLES,
  batch: { summary: 'Several alerts at once (a JSON array)', value: [splunkWebhookAction, { alert: graphAlert, tenant: 'contoso' }] },
  graphList: {
    summary: 'A Microsoft Graph list response (GET /security/alerts_v2)',
    value: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2', value: [graphAlert] },
  },
};

export const LOOKUP_EXAMPLES: Record<string, Example> = {
  logicAppsEntities: {
    summary: 'Logic Apps: the output of "Entities - Get IPs"',
    description: 'Map `body(\'Entities_-_Get_IPs\')?[\'IPs\']` to the addresses, e.g. with a Select action.',
    value: { ips: ['45.155.205.233', '2001:db8::25'], tenant: 'contoso' },
  },
};
