import { describe, expect, it } from 'vitest';
import { isoTime, normalizeSeverity } from '../../../src/extract/alert-fields.js';
import { describeAlert, parseAlertText } from '../../../src/extract/index.js';
import { loadSamples } from './shared-samples.js';

const samples = new Map(loadSamples().map((sample) => [sample.file.slice(0, 2), parseAlertText(sample.text)]));

function sample(prefix: string): unknown {
  const alert = samples.get(prefix);
  if (alert === undefined) throw new Error(`no sample ${prefix}`);
  return alert;
}

const ARM_ID =
  '/subscriptions/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/resourceGroups/rg-sentinel/providers/Microsoft.OperationalInsights/workspaces/law-soc/providers/Microsoft.SecurityInsights/Incidents/6e1d0c9b-2a3f-4e5d-8c7b-9a0f1e2d3c4b';

describe('describeAlert on the shared samples', () => {
  it.each([
    ['03', { format: 'graph-alert', id: 'da637551227677560813_-961444813', title: 'Suspicious execution of hidden file', severity: 'low', time: '2021-04-27T12:19:27.721Z' }],
    ['06', { format: 'defender-for-cloud', id: '2517184898549829577_cdcf9f94-ec53-47a6-ab87-76130f87218d', title: '[SAMPLE ALERT] Login from a suspicious IP', severity: 'medium', time: '2023-05-11T13:17:09.017Z' }],
    ['07', { format: 'suricata', id: '904992230150281:alert:2024833', title: 'ET POLICY Observed IP Lookup Domain (l2 .io in TLS SNI)', severity: 'high', time: '2018-07-05T19:07:20.910Z' }],
    ['17', { format: 'chronicle', id: 'de_865d9c87-6c5f-cfc1-2d41-aaee29499057', title: 'suspicious_USER_LOGIN_2', severity: 'medium', time: '2025-02-05T09:00:00.000Z' }],
    ['18', { format: 'splunk-notable', id: '5E6DE97D-B137-47AB-8905-8C4F42998937@@notable@@e4f07602f507975e9f7ba47c4ae0c417', title: 'Root user use', severity: 'informational', time: '2024-06-05T09:15:24.000Z' }],
    ['21', { format: 'ocsf', id: '2b7908d7-4b72-4f65-afa0-09bdaea46ae3', title: 'Infection found on 1.183.190.110', severity: 'informational', time: '2022-11-15T17:59:59.945Z' }],
    ['29', { format: 'o365-audit', id: '2af7bbf1-d5d8-5cb0-8aca-f4ad8a087594', title: 'GroupCreation', severity: null, time: '2020-02-28T09:42:45.000Z' }],
    ['33', { format: 'o365-audit', id: '7d6297b5-e4a7-46f0-3c1e-08d7b1c1fb22', title: 'Elevation of Exchange admin privilege', severity: 'low', time: '2020-02-14T19:00:00.000Z' }],
    ['36', { format: 'ecs', id: null, title: null, severity: null, time: '2018-11-26T22:17:32.000Z' }],
    ['41', { format: 'generic', id: null, title: null, severity: null, time: null }],
    ['45', { format: 'splunk-webhook', id: null, title: 'Excessive Failed Logins', severity: 'high', time: '2025-01-15T10:28:00.000Z' }],
    ['47', { format: 'sentinel-alert', id: '0b6f5a3e-91c2-4f8e-b1aa-5d0e8c3f7a21', title: 'Suspicious PowerShell download cradle', severity: 'high', time: '2026-10-14T08:21:44.117Z' }],
    ['48', { format: 'sentinel-incident', id: ARM_ID, title: 'Multi-stage attack involving 2 hosts', severity: 'high', time: '2026-10-14T08:12:31.000Z', incidentArmId: ARM_ID, revision: '2026-10-14T08:12:31Z' }],
    ['49', { format: 'graph-alert', id: 'da08a2b4c9-1d2e-4f5a-8b7c-6d5e4f3a2b1c_1', title: 'Connection to a rare external IP after macro execution', severity: 'medium', time: '2026-10-15T11:02:17.320Z' }],
  ])('sample %s', (prefix, expected) => {
    expect(describeAlert(sample(prefix))).toEqual({ incidentArmId: null, ...expected });
  });

  it('reads O365 times without a zone as UTC', () => {
    expect(describeAlert(sample('24'))).toMatchObject({ format: 'o365-audit', time: '2020-02-17T17:12:03.000Z' });
  });
});

describe('describeAlert on other documented shapes', () => {
  it('Sentinel incidents from the REST API and the SecurityIncident table', () => {
    expect(describeAlert({ id: ARM_ID, name: '6e1d0c9b', type: 'Microsoft.SecurityInsights/Incidents', properties: { title: 'T', severity: 'Medium', createdTimeUtc: '2026-01-02T03:04:05Z', incidentNumber: 7 } })).toEqual({
      format: 'sentinel-incident', id: ARM_ID, title: 'T', severity: 'medium', time: '2026-01-02T03:04:05.000Z', incidentArmId: ARM_ID, revision: null,
    });
    const row = { Type: 'SecurityIncident', IncidentNumber: 12, IncidentName: 'abc', Title: 'Row', Severity: 'Low', CreatedTime: '2026-01-02T03:04:05Z', IncidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${ARM_ID}` };
    expect(describeAlert(row)).toMatchObject({ format: 'sentinel-incident', id: ARM_ID, title: 'Row', severity: 'low', incidentArmId: ARM_ID });
    expect(describeAlert({ ...row, IncidentUrl: undefined })).toMatchObject({ id: 'abc', incidentArmId: null });
  });

  it('Defender for Cloud alerts from the ARM API', () => {
    const alert = { id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Security/locations/centralus/alerts/2517', name: '2517', type: 'Microsoft.Security/Locations/alerts', properties: { systemAlertId: '2517', alertDisplayName: 'Suspicious login', severity: 'High', timeGeneratedUtc: '2026-01-02T03:04:05Z' } };
    expect(describeAlert(alert)).toEqual({ format: 'defender-for-cloud', id: '2517', title: 'Suspicious login', severity: 'high', time: '2026-01-02T03:04:05.000Z', incidentArmId: null });
  });

  it('Sentinel alert entities from the API', () => {
    const alert = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Entities/e1', kind: 'SecurityAlert', properties: { systemAlertId: 'e1', alertDisplayName: 'myAlert', severity: 'Low', timeGenerated: '2020-07-20T18:21:53.6158361Z', productName: 'AzureSecurityCenter' } };
    expect(describeAlert(alert)).toEqual({ format: 'sentinel-alert', id: 'e1', title: 'myAlert', severity: 'low', time: '2020-07-20T18:21:53.615Z', incidentArmId: null });
  });

  it('Defender XDR streaming API alert records', () => {
    const record = { category: 'AdvancedHunting-AlertInfo', properties: { AlertId: 'da638034938542563831_172489803', Title: 'Anomalous silent process exit monitor registration', Severity: 'Medium', Timestamp: '2022-11-08T08:42:17.2954051Z' }, time: '2022-11-08T08:44:14.79Z' };
    expect(describeAlert(record)).toEqual({ format: 'mde-alert', id: 'da638034938542563831_172489803', title: 'Anomalous silent process exit monitor registration', severity: 'medium', time: '2022-11-08T08:42:17.295Z', incidentArmId: null });
  });

  it('Defender for Endpoint API alerts', () => {
    const alert = { id: 'da637472900382838869_1364969609', incidentId: 1126093, severity: 'Informational', title: 'Low-reputation arbitrary code executed by signed executable', machineId: '111e6dd8c833c8a052ea231ec1b19adaf497b625', computerDnsName: 'temp123.middleeast.corp.microsoft.com', alertCreationTime: '2021-01-26T20:33:57.7220239Z', evidence: [] };
    expect(describeAlert(alert)).toMatchObject({ format: 'mde-alert', id: 'da637472900382838869_1364969609', severity: 'informational', time: '2021-01-26T20:33:57.722Z' });
  });

  it('GuardDuty findings, bare and inside EventBridge events', () => {
    const finding = { schemaVersion: '2.0', accountId: '123456789012', id: '16afba5c5c43e07c9e3e5e2e544e95df', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 5, title: 'Unprotected port on EC2 instance is being probed.', createdAt: '2020-01-22T12:00:00.000Z', service: { serviceName: 'guardduty' } };
    expect(describeAlert(finding)).toEqual({ format: 'guardduty', id: '16afba5c5c43e07c9e3e5e2e544e95df', title: 'Unprotected port on EC2 instance is being probed.', severity: 'medium', time: '2020-01-22T12:00:00.000Z', incidentArmId: null });
    expect(describeAlert({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { ...finding, severity: 8.9 } })).toMatchObject({ format: 'guardduty', severity: 'high' });
    expect(describeAlert({ ...finding, severity: 2 })).toMatchObject({ severity: 'low' });
    const pascal = { 'detail-type': 'GuardDuty Finding', detail: { Id: '4951', Arn: 'arn:aws:guardduty:us-east-1:1:detector/d/finding/4951', Title: 'SSH brute force', Severity: 2, CreatedAt: '2025-08-22T01:40:09.989Z' } };
    expect(describeAlert(pascal)).toEqual({ format: 'guardduty', id: '4951', title: 'SSH brute force', severity: 'low', time: '2025-08-22T01:40:09.989Z', incidentArmId: null });
  });

  it('QRadar offenses', () => {
    const offense = { id: 42, description: 'Multiple Login Failures for the Same User\n', offense_type: 0, offense_source: '10.1.1.1', severity: 8, magnitude: 6, start_time: 1_700_000_000_000 };
    expect(describeAlert(offense)).toEqual({ format: 'qradar', id: '42', title: 'Multiple Login Failures for the Same User', severity: 'high', time: '2023-11-14T22:13:20.000Z', incidentArmId: null });
  });

  it('Zeek notices without connection fields', () => {
    const notice = { ts: 1_320_435_875.879_278, note: 'SSH::Password_Guessing', msg: '172.16.238.1 appears to be guessing SSH passwords (seen in 30 connections).', src: '172.16.238.1', peer_descr: 'bro' };
    expect(describeAlert(notice)).toEqual({ format: 'zeek', id: null, title: 'SSH::Password_Guessing', severity: null, time: '2011-11-04T19:44:35.879Z', incidentArmId: null });
  });

  it('Zeek logs with flattened id fields', () => {
    expect(describeAlert({ ts: 1_591_367_999.305_988, uid: 'CMdzit1AMNsmfAIiQc', 'id.orig_h': '192.168.4.76', 'id.resp_h': '192.168.4.1', note: 'Scan::Port_Scan', msg: 'scan' })).toMatchObject({
      format: 'zeek', id: 'CMdzit1AMNsmfAIiQc:Scan::Port_Scan', title: 'Scan::Port_Scan', time: '2020-06-05T14:39:59.305Z',
    });
  });

  it('Elastic detection alerts with flattened kibana fields', () => {
    const alert = { '@timestamp': '2026-02-03T04:05:06.789Z', 'kibana.alert.uuid': 'f00d', 'kibana.alert.rule.name': 'Port scan', 'kibana.alert.severity': 'critical', source: { ip: '10.0.0.1' } };
    expect(describeAlert(alert)).toEqual({ format: 'ecs', id: 'f00d', title: 'Port scan', severity: 'high', time: '2026-02-03T04:05:06.789Z', incidentArmId: null });
  });

  it('Splunk webhooks: the sid and the result row identify the alert', () => {
    const hook = (src: string): unknown => ({ sid: 'scheduler_admin_search_W2_at_14232356_132', search_name: 'Brute force', results_link: 'http://splunk.example:8000/app/search/@go?sid=x', result: { src, urgency: 'medium', _time: '1717578914.332' } });
    const first = describeAlert(hook('10.0.0.1'));
    expect(first).toMatchObject({ format: 'splunk-webhook', title: 'Brute force', severity: 'medium', time: '2024-06-05T09:15:14.332Z' });
    expect(first.id).toMatch(/^scheduler_admin_search_W2_at_14232356_132:[0-9a-f]{16}$/);
    expect(describeAlert(hook('10.0.0.1')).id).toBe(first.id);
    expect(describeAlert(hook('10.0.0.2')).id).not.toBe(first.id);
  });

  it('CEF lines and CommonSecurityLog rows', () => {
    const line = 'CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 externalId=abc-1 rt=1717578914332';
    expect(describeAlert(line)).toEqual({ format: 'cef', id: 'abc-1', title: 'worm successfully stopped', severity: 'high', time: '2024-06-05T09:15:14.332Z', incidentArmId: null });
    expect(describeAlert({ host: 'fw1', message: `<134>Jun 04 09:30:10 fw1 ${line}` })).toMatchObject({ format: 'cef', title: 'worm successfully stopped' });
    expect(describeAlert({ DeviceVendor: 'Palo Alto Networks', DeviceProduct: 'PAN-OS', Activity: 'THREAT', LogSeverity: '3', TimeGenerated: '2026-01-02T03:04:05Z' })).toMatchObject({ format: 'cef', title: 'THREAT', severity: 'low' });
  });

  it('anything else: generic fields, or nothing', () => {
    expect(describeAlert({ alert_id: 7, name: 'Custom', priority: 'P1', created_at: '2026-01-02 03:04:05' })).toEqual({ format: 'generic', id: '7', title: 'Custom', severity: null, time: '2026-01-02T03:04:05.000Z', incidentArmId: null });
    for (const value of [null, 42, 'plain text', [1, 2], undefined]) {
      expect(describeAlert(value)).toEqual({ format: 'generic', id: null, title: null, severity: null, time: null, incidentArmId: null });
    }
  });
});

describe('severity and time normalization', () => {
  it.each([
    ['High', 'high'], ['CRITICAL', 'high'], ['Very-High', 'high'], ['medium', 'medium'], ['Moderate', 'medium'], ['low', 'low'],
    ['Informational', 'informational'], ['info', 'informational'], ['unknown', null], ['', null], [0, 'informational'], [3, 'low'],
    [5, 'medium'], [9, 'high'], [21, 'low'], [47, 'medium'], [73, 'high'], [250, null], [{ Label: 'HIGH' }, 'high'], ['7', 'high'],
  ])('%j → %j', (value, expected) => {
    expect(normalizeSeverity(value)).toBe(expected);
  });

  it.each([
    [1_717_578_914, '2024-06-05T09:15:14.000Z'], [1_717_578_914_332, '2024-06-05T09:15:14.332Z'], ['1717578914.332298000', '2024-06-05T09:15:14.332Z'],
    ['2018-07-05T15:07:20.910626-0400', '2018-07-05T19:07:20.910Z'], ['2020-02-17T17:12:03', '2020-02-17T17:12:03.000Z'],
    ['Jun 04 09:30:10', null], ['none', null], [-5, null], [null, null],
  ])('%j → %j', (value, expected) => {
    expect(isoTime(value)).toBe(expected);
  });
});
