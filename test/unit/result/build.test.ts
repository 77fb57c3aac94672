import { describe, expect, it } from 'vitest';
import { buildResult, type BuildInput, type FoundIp, type IpOutcome } from '../../../src/result/build.js';
import { alertResultSchema } from '../../../src/result/schema.js';
import { verdictFor } from '../../../src/result/verdict.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const policy = { rareMaxPrevalence: 3, newWithinHours: 48 };

function found(ip: string, extra: Partial<FoundIp> = {}): FoundIp {
  return { ip, version: ip.includes(':') ? 6 : 4, range: 'public', enrich: true, paths: ['$.ip'], ...extra };
}

function enriched(ip: string, prevalence: number, firstSeen: string | null, cached = false): IpOutcome {
  return {
    ip,
    status: prevalence === 0 ? 'not_seen' : 'enriched',
    cached,
    record: { ip, prevalence, firstSeen, lastSeen: firstSeen, seen: prevalence > 0, lookBackHours: 720, fetchedAt: new Date(NOW).toISOString() },
  };
}

function input(foundIps: FoundIp[], outcomes: IpOutcome[]): BuildInput {
  return {
    facts: { alertId: 'a-1', tenant: 'default', contentDigest: 'sha256:ab', replaces: null, format: 'generic', title: 'Test', severity: 'high', incidentArmId: null, alertTime: null, receivedAt: new Date(NOW - 1000).toISOString() },
    found: foundIps,
    cidrs: ['10.0.0.0/8'],
    truncated: false,
    outcomes: new Map(outcomes.map((o) => [o.ip, o])),
    lookBackHours: 720,
    policy,
    now: NOW,
  };
}

describe('verdictFor', () => {
  it('marks few devices as rare, recent first sight as new, and no device as unseen', () => {
    expect(verdictFor({ seen: true, prevalence: 3, firstSeen: '2026-01-01T00:00:00Z' }, policy, NOW)).toEqual(['rare']);
    expect(verdictFor({ seen: true, prevalence: 4, firstSeen: '2026-01-01T00:00:00Z' }, policy, NOW)).toEqual([]);
    expect(verdictFor({ seen: true, prevalence: 500, firstSeen: '2026-11-25T12:00:01Z' }, policy, NOW)).toEqual(['new']);
    expect(verdictFor({ seen: true, prevalence: 500, firstSeen: '2026-11-24T11:59:59Z' }, policy, NOW)).toEqual([]);
    expect(verdictFor({ seen: true, prevalence: 1, firstSeen: '2026-11-26T11:00:00Z' }, policy, NOW)).toEqual(['rare', 'new']);
    expect(verdictFor({ seen: false, prevalence: 0, firstSeen: null }, policy, NOW)).toEqual(['unseen']);
  });
});

describe('buildResult', () => {
  it('turns extraction and enrichment into a schema-valid result with counts and a one-line summary', () => {
    const result = buildResult(input(
      [found('203.0.113.7'), found('198.51.100.2'), found('192.0.2.1'), found('127.0.0.1', { range: 'loopback', enrich: false, reason: 'loopback address' }), found('2001:db8::1')],
      [
        enriched('203.0.113.7', 1, '2026-01-01T00:00:00Z', true),
        enriched('198.51.100.2', 812, '2025-06-01T00:00:00Z'),
        enriched('192.0.2.1', 0, null),
        { ip: '2001:db8::1', status: 'deferred', cached: false, retryAt: NOW + 30_000 },
      ],
    ));
    expect(alertResultSchema.parse(result)).toEqual(result);
    expect(result.summary.counts).toEqual({ enriched: 2, not_seen: 1, skipped: 1, invalid: 0, deferred: 1, error: 0 });
    expect(result.partial).toBe(true);
    expect(result.summary.rare).toEqual(['203.0.113.7']);
    expect(result.ips.find((ip) => ip.ip === '127.0.0.1')).toMatchObject({ status: 'skipped', reason: 'loopback address', verdict: [] });
    expect(result.ips.find((ip) => ip.ip === '2001:db8::1')).toMatchObject({ status: 'deferred', retryAt: new Date(NOW + 30_000).toISOString() });
    expect(result.ips.find((ip) => ip.ip === '203.0.113.7')).toMatchObject({ cached: true, prevalence: 1, verdict: ['rare'] });
    expect(result.summary.text).toBe(
      '5 IPs: 1 never seen in the org (192.0.2.1); 1 rare (203.0.113.7: 1 device); 1 common (198.51.100.2: 812 devices); 1 skipped; 1 deferred (API budget).',
    );
  });

  it('says so when the alert holds no IP', () => {
    const result = buildResult(input([], []));
    expect(result.summary.text).toBe('No IP addresses found in the alert.');
    expect(result.partial).toBe(false);
  });

  it('reports errors and invalid IPs with their reasons', () => {
    const result = buildResult(input([found('203.0.113.9'), found('203.0.113.10')], [
      { ip: '203.0.113.9', status: 'error', cached: false, error: { code: 'MDE_SERVER_ERROR', message: 'Defender answered 503' } },
      { ip: '203.0.113.10', status: 'invalid', cached: true },
    ]));
    expect(result.ips[0]).toMatchObject({ status: 'error', error: { code: 'MDE_SERVER_ERROR' }, reason: 'Defender answered 503' });
    expect(result.ips[1]).toMatchObject({ status: 'invalid', reason: 'Defender rejected the address as invalid' });
    expect(result.summary.text).toBe('2 IPs: 1 invalid; 1 failed.');
  });
});

describe('buildResult with stale answers', () => {
  it('marks answers from entries past their TTL as stale, with when they were fetched, in the IP and the summary', () => {
    const fetchedAt = '2026-11-25T09:30:12.345Z';
    const stale = (outcome: IpOutcome): IpOutcome => ({ ...outcome, cached: true, stale: true, fetchedAt });
    const result = buildResult(input([found('203.0.113.7'), found('198.51.100.2'), found('192.0.2.1'), found('192.0.2.2')], [
      stale(enriched('203.0.113.7', 1, '2026-01-01T00:00:00Z')),
      enriched('198.51.100.2', 812, '2025-06-01T00:00:00Z', true),
      stale(enriched('192.0.2.1', 0, null)),
      { ip: '192.0.2.2', status: 'invalid', cached: true, stale: true, fetchedAt, error: { code: 'MDE_BAD_REQUEST', message: 'InvalidIpAddress' } },
    ]));
    expect(alertResultSchema.parse(result)).toEqual(result);
    expect(result.ips.map((ip) => [ip.ip, ip.stale, ip.fetchedAt])).toEqual([
      ['203.0.113.7', true, fetchedAt],
      ['198.51.100.2', false, new Date(NOW).toISOString()],
      ['192.0.2.1', true, fetchedAt],
      ['192.0.2.2', true, fetchedAt],
    ]);
    // A stale answer is still an answer: the alert is complete.
    expect(result.partial).toBe(false);
    expect(result.summary.text).toBe(
      '4 IPs: 1 never seen in the org (192.0.2.1 (stale, fetched 2026-11-25T09:30Z)); 1 rare (203.0.113.7 (stale, fetched 2026-11-25T09:30Z): 1 device); 1 common (198.51.100.2: 812 devices); 1 invalid (1 stale).',
    );
  });

  it('gives no staleness to IPs nobody answered', () => {
    const result = buildResult(input([found('2001:db8::1')], [{ ip: '2001:db8::1', status: 'deferred', cached: false, retryAt: NOW + 1_000 }]));
    expect(result.ips[0]?.stale).toBeUndefined();
    expect(result.ips[0]?.fetchedAt).toBeUndefined();
  });
});
