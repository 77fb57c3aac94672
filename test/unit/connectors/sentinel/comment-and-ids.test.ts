import { describe, expect, it } from 'vitest';
import { buildCommentHtml } from '../../../../connectors/sentinel/comment-html.js';
import { checkIncidentArmId } from '../../../../connectors/sentinel/incident-arm-id.js';
import { commentIdFor } from '../../../../connectors/sentinel/put-incident-comment.js';
import { incidentNameOf } from '../../../../connectors/sentinel/rows.js';
import { sampleIp, sampleResult } from '../../../integration/connectors/support/sample-result.js';

const incident =
  '/subscriptions/6b1c4b1e-2f7a-4c53-9d7e-0a4f6f3c2b11/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-ws/providers/Microsoft.SecurityInsights/incidents/73e01a99-5cd7-4139-a149-9f2736ff2ab5';

describe('incident ARM ids', () => {
  it('accepts a Sentinel incident id and names the incident', () => {
    expect(checkIncidentArmId(incident)).toBe(incident);
    expect(incidentNameOf(incident)).toBe('73e01a99-5cd7-4139-a149-9f2736ff2ab5');
    expect(incidentNameOf(null)).toBeNull();
  });

  it.each([
    ['another resource type', incident.replace('Microsoft.SecurityInsights/incidents', 'Microsoft.Compute/virtualMachines')],
    ['a path traversal', `${incident.replace(/incidents\/.*$/, '')}incidents/..`],
    ['a deeper path', `${incident}/comments/x`],
    ['a query', `${incident}?api-version=1`],
    ['a full URL', `https://management.azure.com${incident}`],
    ['a non-GUID subscription', incident.replace('6b1c4b1e-2f7a-4c53-9d7e-0a4f6f3c2b11', 'sub')],
  ])('refuses %s', (_what, value) => {
    expect(() => checkIncidentArmId(value)).toThrow(/not a Microsoft Sentinel incident id/);
  });
});

describe('comment ids', () => {
  it('are GUID-shaped, one per (tenant, alert, incident) whatever the delivery or revision', () => {
    const incidentArmId = '/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/i';
    const alert = { tenant: 'contoso', alertId: 'a-1', incidentArmId };
    expect(commentIdFor(alert)).toBe(commentIdFor({ ...alert, incidentArmId: incidentArmId.toUpperCase() }));
    expect(commentIdFor(alert)).not.toBe(commentIdFor({ ...alert, alertId: 'a-2' }));
    expect(commentIdFor(alert)).not.toBe(commentIdFor({ ...alert, tenant: 'fabrikam' }));
    expect(commentIdFor(alert)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('comment HTML', () => {
  it('lists every IP when it fits, verdicts first', () => {
    const html = buildCommentHtml(sampleResult(), 28_000, 'IpEnrichment_CL');
    expect((html.match(/<tr><td>/g) ?? []).length).toBe(3);
    expect(html.indexOf('203.0.113.7')).toBeLessThan(html.indexOf('198.51.100.23'));
    expect(html).not.toContain('more IPs');
    expect(html).toContain('last 30 days');
  });

  it('never exceeds the cap and accounts for every IP', () => {
    const result = sampleResult({ ips: Array.from({ length: 1_000 }, (_, i) => sampleIp(`198.18.${i >> 8}.${i & 255}`)) });
    for (const cap of [1_000, 5_000, 28_000]) {
      const html = buildCommentHtml(result, cap, 'IpEnrichment_CL');
      expect(html.length).toBeLessThanOrEqual(cap);
      const shown = (html.match(/<tr><td>/g) ?? []).length;
      expect(shown + Number(/and (\d+) more IPs/.exec(html)?.[1] ?? 0)).toBe(1_000);
      expect(html).toMatch(/<\/table>(<p>.*<\/p>)?$/);
    }
  });
});
