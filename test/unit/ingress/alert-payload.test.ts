import { describe, expect, it } from 'vitest';
import { incomingAlerts, jsonDepth, MAX_ALERT_DEPTH, parseAlertsBody, parseEnrichBody } from '../../../src/ingress/alert-payload.js';
import { jsonTextDepth } from '../../../src/queue/json-depth.js';

const suricata = { event_type: 'alert', src_ip: '192.0.2.1', alert: { signature: 'ET SCAN', severity: 2 } };
const splunk = { result: { src_ip: '192.0.2.2' }, sid: 'sid-1', search_name: 'x' };

function accepted(body: unknown): ReturnType<typeof incomingAlerts> {
  const parsed = parseAlertsBody(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return incomingAlerts(parsed.value, { tenant: 'from-query', callbackUrl: 'https://q.example.com/cb' });
}

describe('what POST /v1/alerts reads from a body', () => {
  it('takes the body as the alert, with the query\'s routing', () => {
    expect(accepted(splunk)).toEqual([{ alert: splunk, tenant: 'from-query', callbackUrl: 'https://q.example.com/cb' }]);
  });

  it('keeps an alert that merely has an `alert` field (Suricata EVE) as the alert', () => {
    expect(accepted(suricata)).toEqual([{ alert: suricata, tenant: 'from-query', callbackUrl: 'https://q.example.com/cb' }]);
  });

  it('unwraps an envelope, whose values win over the query\'s', () => {
    expect(accepted({ alert: splunk, tenant: 'contoso' })).toEqual([{ alert: splunk, tenant: 'contoso', callbackUrl: 'https://q.example.com/cb' }]);
    expect(accepted({ alert: splunk, callbackUrl: 'https://e.example.com/cb' })[0]?.callbackUrl).toBe('https://e.example.com/cb');
  });

  it('reads arrays of alerts and envelopes, and Graph list responses, as several alerts', () => {
    expect(accepted([splunk, { alert: suricata, tenant: 'fabrikam' }]).map((a) => [a.alert, a.tenant])).toEqual([[splunk, 'from-query'], [suricata, 'fabrikam']]);
    const list = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2', '@odata.nextLink': 'x', value: [splunk, suricata] };
    expect(accepted(list).map((a) => a.alert)).toEqual([splunk, suricata]);
  });

  it('reports a broken envelope as an envelope, with the path of the problem', () => {
    const parsed = parseAlertsBody({ alert: splunk, tenant: 'two words' });
    expect(parsed).toEqual({ ok: false, issues: [{ path: 'body.tenant', message: expect.stringMatching(/tenant name/) as unknown }] });
    const inArray = parseAlertsBody([splunk, { alert: {}, tenant: 'x' }]);
    expect(inArray.ok ? [] : inArray.issues.map((issue) => issue.path)).toEqual(['body.1.alert']);
  });

  it('checks each element of a Graph list as the body\'s own: an envelope routes, a malformed one is refused by item and key', () => {
    expect(accepted({ value: [splunk, { alert: suricata, tenant: 'fabrikam' }] }).map((a) => [a.alert, a.tenant])).toEqual([[splunk, 'from-query'], [suricata, 'fabrikam']]);
    const issues = (body: unknown): { path: string; message: string }[] => {
      const parsed = parseAlertsBody(body);
      return parsed.ok ? [] : parsed.issues;
    };
    expect(issues({ value: [splunk, { alert: suricata, TENANT: 'beta', callbackURL: 'https://hooks.example.com/x' }] })).toEqual([
      { path: 'body.value.1', message: expect.stringMatching(/TENANT.*callbackURL|callbackURL.*TENANT/) as unknown },
    ]);
    expect(issues({ value: [{ alert: suricata, tenant: 'beta', extra: 'zzz' }] })).toEqual([{ path: 'body.value.0', message: expect.stringContaining('extra') as unknown }]);
    expect(issues({ value: [{ alert: suricata, tenant: 123 }] }).map((issue) => issue.path)).toEqual(['body.value.0.tenant']);
    expect(issues({ value: [{ alert: suricata, callbackUrl: 'ftp://x.example/' }] }).map((issue) => issue.path)).toEqual(['body.value.0.callbackUrl']);
    expect(issues({ value: [{ value: [splunk] }] }).map((issue) => issue.path)).toEqual(['body.value.0']);
  });

  it('refuses what holds no alert', () => {
    for (const body of [null, 'text', 42, [], {}, [splunk, null], { value: [] }, { value: [1] }]) {
      expect(parseAlertsBody(body).ok, JSON.stringify(body)).toBe(false);
    }
  });

  it('refuses nesting deeper than the bound, counted without recursion', () => {
    let deep: unknown = { ip: '192.0.2.3' };
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(jsonDepth(deep, MAX_ALERT_DEPTH)).toBeGreaterThan(MAX_ALERT_DEPTH);
    expect(parseAlertsBody({ deep }).ok).toBe(false);
    expect(jsonDepth({ a: [{ b: 1 }] }, MAX_ALERT_DEPTH)).toBe(3);
  });

  it('counts the same depth on the text, brackets in strings (escaped quotes included) aside, and stops past the bound', () => {
    for (const value of [{ a: [{ b: 1 }] }, [], 'text', 7, { s: '[[{{"', t: ['\\', '\\"]]', { u: '}' }] }, [[[[[]]]], [{}]]]) {
      expect(jsonTextDepth(JSON.stringify(value), MAX_ALERT_DEPTH), JSON.stringify(value)).toBe(jsonDepth(value, MAX_ALERT_DEPTH));
    }
    expect(jsonTextDepth(`${'['.repeat(1_000_000)}`, 10)).toBe(11);
  });
});

describe('what POST /v1/enrich reads from a body', () => {
  it('takes one alert or one envelope, never a batch', () => {
    expect(parseEnrichBody(splunk).ok).toBe(true);
    expect(parseEnrichBody({ alert: splunk, tenant: 'contoso' }).ok).toBe(true);
    expect(parseEnrichBody([splunk]).ok).toBe(false);
    const list = parseEnrichBody({ value: [splunk] });
    expect(list.ok ? '' : list.issues[0]?.message).toMatch(/POST it to \/v1\/alerts/);
  });
});
