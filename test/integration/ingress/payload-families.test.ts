import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertResultSchema, type AlertResult } from '../../../src/result/schema.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { loadSamples, type LabelledSample } from '../../unit/extract/shared-samples.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';

function sample(prefix: string): LabelledSample & { alert: Record<string, unknown> } {
  const found = loadSamples().find((s) => s.file.startsWith(prefix));
  if (!found) throw new Error(`no sample ${prefix}`);
  return { ...found, alert: JSON.parse(found.text.toString('utf8')) as Record<string, unknown> };
}

function resultOf(answer: HttpAnswer): AlertResult {
  expect(answer.status, answer.text).toBe(200);
  return alertResultSchema.parse((answer.json as { result: unknown }).result);
}

const ipsOf = (result: AlertResult): string[] => result.ips.map((ip) => ip.ip).sort();

describe('payload families a playbook sends, through POST /v1/enrich and /v1/alerts', () => {
  let emulators: Emulators;
  let harness: IngressHarness;

  beforeAll(async () => {
    emulators = await startEmulators();
    harness = await startIngressHarness({ worker: true, env: { ...emulators.env, INGRESS_ALLOW_QUERY_TOKEN: 'true' } });
  });

  afterAll(async () => {
    await harness.close();
    await emulators.close();
  });

  it('a Sentinel incident trigger payload (Logic Apps): its incident ARM id is kept for the incident comment', async () => {
    const incident = sample('48-');
    const armId = (incident.alert.object as { id: string }).id;
    const queued = await harness.http('POST', '/v1/alerts', { body: incident.alert });
    expect(queued.status).toBe(202);
    expect((queued.json as { jobs: unknown[] }).jobs[0]).toMatchObject({ format: 'sentinel-incident', incidentArmId: armId, alertId: armId });

    const result = resultOf(await harness.http('POST', '/v1/enrich', { body: incident.alert }));
    expect(result.format).toBe('sentinel-incident');
    expect(result.incidentArmId).toBe(armId);
    expect(result.severity).toBe('high');
    expect(ipsOf(result)).toEqual([...incident.expected_ips].sort());
  });

  it('a Sentinel alert (SecurityAlert with IP entities)', async () => {
    const alert = sample('47-');
    const result = resultOf(await harness.http('POST', '/v1/enrich', { body: alert.alert }));
    expect(result.format).toBe('sentinel-alert');
    expect(ipsOf(result)).toEqual([...alert.expected_ips].sort());
  });

  it('Splunk\'s webhook alert action, which cannot set headers: key and tenant in the URL', async () => {
    const splunk = {
      result: { src_ip: '10.0.0.50', dest_ip: '203.0.113.80', user: 'svc_backup', count: '47' },
      sid: 'scheduler_admin_search_W2_at_14232356_132',
      results_link: 'https://splunk.example.com:8000/app/search/@go?sid=scheduler_admin_search_W2_at_14232356_132',
      search_name: 'Excessive Failed Logins',
      owner: 'admin',
      app: 'search',
    };
    const path = `/v1/enrich?tenant=contoso&token=${encodeURIComponent(harness.keys.operator)}`;
    const result = resultOf(await harness.http('POST', path, { body: splunk, key: null }));
    expect(result.format).toBe('splunk-webhook');
    expect(result.tenant).toBe('contoso');
    expect(result.alertId).toContain('scheduler_admin_search_W2_at_14232356_132');
    expect(ipsOf(result)).toEqual(['10.0.0.50', '203.0.113.80']);

    const notable = sample('45-');
    expect(ipsOf(resultOf(await harness.http('POST', '/v1/enrich', { body: notable.alert })))).toEqual([...notable.expected_ips].sort());
  });

  it('Graph security alerts, one at a time or as a Graph list response', async () => {
    const evidence = sample('49-');
    const device = sample('03-');
    const single = resultOf(await harness.http('POST', '/v1/enrich', { body: evidence.alert }));
    expect(single.format).toBe('graph-alert');
    expect(ipsOf(single)).toEqual([...evidence.expected_ips].sort());

    const list = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2', value: [evidence.alert, device.alert] };
    const queued = await harness.http('POST', '/v1/alerts', { body: list });
    expect(queued.status).toBe(202);
    const jobs = (queued.json as { jobs: { format: string; alertId: string; duplicate: boolean }[] }).jobs;
    expect(jobs.map((job) => [job.format, job.alertId])).toEqual([
      ['graph-alert', evidence.alert.id],
      ['graph-alert', device.alert.id],
    ]);
    expect(jobs.map((job) => job.duplicate)).toEqual([true, false]);
  });

  it('any other alert JSON, bare or in an envelope that routes it', async () => {
    const suricata = sample('07-');
    const bare = resultOf(await harness.http('POST', '/v1/enrich', { body: suricata.alert }));
    expect(bare.format).toBe('suricata');
    expect(ipsOf(bare)).toEqual([...suricata.expected_ips].sort());

    const custom = { rule: 'beaconing', detail: { peer: '198.51.100.90', note: 'seen from 192.0.2.90' } };
    const routed = resultOf(await harness.http('POST', '/v1/enrich', { body: { alert: custom, tenant: 'fabrikam' } }));
    expect(routed).toMatchObject({ format: 'generic', tenant: 'fabrikam' });
    expect(ipsOf(routed)).toEqual(['192.0.2.90', '198.51.100.90']);
  });

  it('refuses an envelope with a misspelt or extra key, instead of queueing it whole for the default tenant', async () => {
    const before = await harness.ingress.deps.queue.count();
    for (const [body, key] of [
      [{ alert: { peer: '198.51.100.150' }, tenant: 'fabrikam', callbackURL: 'https://hooks.example/x' }, 'callbackURL'],
      [{ alert: { peer: '198.51.100.151' }, Tenant: 'fabrikam' }, 'Tenant'],
      [{ alert: { peer: '198.51.100.152' }, tenant: 'fabrikam', note: 'x' }, 'note'],
    ] as const) {
      const answer = await harness.http('POST', '/v1/alerts', { body });
      expect(answer.status, key).toBe(400);
      expect(answer.json, key).toMatchObject({ error: { code: 'INPUT_INVALID', issues: [{ path: 'body', message: expect.stringContaining(key) as unknown }] } });
    }
    expect(await harness.ingress.deps.queue.count()).toBe(before);
  });
});
