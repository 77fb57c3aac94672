import { randomUUID } from 'node:crypto';
import { alertResultSchema, type AlertResult, type IpResult } from '../../../../src/result/schema.js';

/** A schema-valid enriched IP; fields overridable per test. */
export function sampleIp(ip: string, overrides: Partial<IpResult> = {}): IpResult {
  return {
    ip,
    version: ip.includes(':') ? 6 : 4,
    range: 'public',
    status: 'enriched',
    prevalence: 2,
    firstSeen: '2026-01-10T08:00:00.000Z',
    lastSeen: '2026-01-11T09:30:00.000Z',
    lookBackHours: 720,
    cached: false,
    verdict: ['rare'],
    paths: ['$.properties.entities[0].address'],
    ...overrides,
  };
}

/** A schema-valid result (parsed through the real schema, so a drift in it fails here first). */
export function sampleResult(overrides: Partial<AlertResult> = {}): AlertResult {
  const ips = overrides.ips ?? [
    sampleIp('203.0.113.7'),
    sampleIp('198.51.100.23', { prevalence: 140, verdict: [], cached: true }),
    sampleIp('2001:db8::5', { status: 'not_seen', prevalence: 0, firstSeen: null, lastSeen: null, verdict: ['unseen'] }),
  ];
  return alertResultSchema.parse({
    schemaVersion: 1,
    alertId: `alert-${randomUUID()}`,
    tenant: 'default',
    format: 'sentinel-incident',
    title: 'Suspicious sign-in from rare IP',
    severity: 'High',
    incidentArmId: null,
    alertTime: '2026-01-11T09:31:02.250Z',
    receivedAt: '2026-01-11T09:31:05.000Z',
    completedAt: '2026-01-11T09:31:06.500Z',
    partial: false,
    truncated: false,
    cidrs: [],
    summary: {
      text: '3 IPs: 1 rare (203.0.113.7), 1 unseen',
      counts: { enriched: 2, not_seen: 1, skipped: 0, invalid: 0, deferred: 0, error: 0 },
      rare: ['203.0.113.7'],
      new: [],
    },
    ...overrides,
    ips,
  });
}
