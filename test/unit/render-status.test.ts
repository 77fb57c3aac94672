import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/status/collect-status.js';
import { renderStatus } from '../../src/status/render-status.js';

// Raw terminal controls and bidi overrides: none of them may reach the terminal as such.
// eslint-disable-next-line no-control-regex -- the characters under test
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function report(overrides: { tenant: string; sink: string; lastError: string; notes: string[] }, hunting: Partial<StatusReport['tenants'][number]> = {}): StatusReport {
  const budget = { at: 0, windows: [{ max: 100, windowMs: 60_000, used: 0, remaining: 100, freeInMs: 0 }], nextFreeInMs: 0, cooldownMs: 0, admittedTotal: 0, inFlight: 0 };
  return {
    at: '2025-01-01T00:00:00.000Z',
    queue: { waiting: 0 },
    backlogEtaMs: 0,
    tenants: [
      {
        tenant: overrides.tenant,
        budget,
        source: 'ipstats',
        sources: { ipstats: { calls: 0, ips: 0, throttled: 0 }, hunting: { calls: 0, ips: 0, throttled: 0 } },
        cache: { entries: 0, hits: 0, misses: 0, hitRatio: null },
        sinks: [overrides.sink],
        budgetSharedWith: [],
        pending: { alerts: 0, limit: 20_000 },
        sinkHealth: {
          [overrides.sink]: { lastSuccessAt: null, lastFailureAt: '2025-01-01T00:00:00.000Z', lastError: overrides.lastError, failuresSinceSuccess: 1, lastNotes: [], lastNotesAt: null },
          splunk: { lastSuccessAt: '2025-01-01T00:00:00.000Z', lastFailureAt: null, lastError: null, failuresSinceSuccess: 0, lastNotes: overrides.notes, lastNotesAt: '2025-01-01T00:00:00.000Z' },
        },
        ...hunting,
      },
    ],
    sinks: {
      configured: [overrides.sink],
      disabledEndpoints: 0,
      disabled: [],
    },
  };
}

describe('renderStatus', () => {
  it('escapes terminal controls and bidi overrides in what tenants, sinks and receivers said', () => {
    const text = renderStatus(report({
      tenant: 'contoso\u001b[2J',
      sink: 'webhook\u009b31m',
      lastError: 'webhook: SINK_REJECTED: receiver answered 400: \u001b[31mall good\u001b[0m\r\nfake line \u202etxt.exe',
      notes: ['note \u2066isolated\u2069 \u0085next'],
    }));
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('Tenant contoso\\u001b[2J');
    expect(text).toContain('webhook\\u009b31m');
    expect(text).toContain('answered 400: \\u001b[31mall good\\u001b[0m\\u000d\\u000afake line \\u202etxt.exe');
    expect(text).toContain('note \\u2066isolated\\u2069 \\u0085next');
  });

  it('lists the webhook endpoints disabled after 410 Gone, with what re-enables them, escaped', () => {
    const base = report({ tenant: 'default', sink: 'webhook', lastError: '', notes: [] });
    const text = renderStatus({
      ...base,
      sinks: {
        ...base.sinks,
        disabledEndpoints: 2,
        disabled: [
          { endpoint: 'https://hooks.example.com/ipenrich', status: 410, at: '2025-01-01T00:00:00.000Z' },
          { endpoint: 'https://evil.example/\u001b[2J', status: 410, at: '2025-01-02T00:00:00.000Z' },
        ],
      },
    });
    expect(text.split('\n').slice(-3)).toEqual([
      '  2 webhook endpoint(s) disabled after 410 Gone; none gets deliveries until `ipenrich webhook-enable URL`:',
      '    https://hooks.example.com/ipenrich (410 at 2025-01-01T00:00:00.000Z)',
      '    https://evil.example/\\u001b[2J (410 at 2025-01-02T00:00:00.000Z)',
    ]);
  });

  it('redacts the credentials of a callback URL quoted in a sink error', () => {
    const text = renderStatus(report({ tenant: 'default', sink: 'callback', lastError: 'callback: SINK_UNAVAILABLE: POST https://fn.example/api/cb?code=s3cr3tc0de answered 503', notes: [] }));
    expect(text).not.toContain('s3cr3tc0de');
    expect(text).toContain('https://fn.example/api/cb?code=REDACTED answered 503');
  });

  it('shows each sink\'s health under its tenant\'s sinks line: configured ones first, then others it delivered to', () => {
    const single = report({ tenant: 'default', sink: 'webhook', lastError: 'SINK_UNAVAILABLE: receiver answered 503', notes: ['SPLUNK_ACK_OFF'] }, { sinks: ['sentinel', 'webhook'] });
    expect(renderStatus(single).split('\n').slice(-7)).toEqual([
      '  cache  0 entries, no lookups yet',
      '  sinks  sentinel, webhook',
      '    sentinel  no delivery recorded yet',
      '    webhook   FAILING (1 since last success): SINK_UNAVAILABLE: receiver answered 503  last success never',
      '    splunk    ok; last note (2025-01-01T00:00:00.000Z): SPLUNK_ACK_OFF  last success 2025-01-01T00:00:00.000Z',
      '',
      'Sinks  webhook',
    ]);
  });

  it('shows the source, the hunting budget and its pause, and calls, IPs per call and 429s per source', () => {
    const huntingBudget = { at: 0, windows: [{ max: 45, windowMs: 60_000, used: 45, remaining: 0, freeInMs: 12_000 }], nextFreeInMs: 600_000, cooldownMs: 600_000, admittedTotal: 50, inFlight: 0 };
    const text = renderStatus(report({ tenant: 'default', sink: 'webhook', lastError: '', notes: [] }, {
      source: 'auto',
      huntingBudget,
      sources: { ipstats: { calls: 1500, ips: 1500, throttled: 0 }, hunting: { calls: 50, ips: 20_000, throttled: 1 } },
    }));
    expect(text).toContain('hunting   45/1min   used    45  remaining     0  room in 12 s');
    expect(text).toContain('hunting paused 10 min (429: calls or CPU quota)');
    expect(text).toContain('source auto: IP stats 1500 calls (0 × 429); hunting 50 queries for 20000 IPs, 400 IPs per query (1 × 429)');
  });

  it('shows the tenant\'s pending alerts against its limit', () => {
    const base = { tenant: 'contoso', sink: 'webhook', lastError: '', notes: [] };
    expect(renderStatus(report(base, { pending: { alerts: 1234, limit: 20_000 } }))).toContain('\n  pending  1234 alerts (limit 20000, TENANT_MAX_PENDING_ALERTS)\n');
    expect(renderStatus(report(base, { pending: { alerts: 7, limit: 0 } }))).toContain('\n  pending  7 alerts (no limit, TENANT_MAX_PENDING_ALERTS)\n');
  });

  it('says when a tenant spends a budget another tenant spends too, so its figures are not read twice', () => {
    const alone = renderStatus(report({ tenant: 'contoso', sink: 'webhook', lastError: '', notes: [] }));
    expect(alone).not.toContain('budget shared');
    const shared = renderStatus(report({ tenant: 'contoso', sink: 'webhook', lastError: '', notes: [] }, { budgetSharedWith: ['fabrikam'] }));
    expect(shared).toContain('  budget shared with fabrikam (one Defender credential scope, MDE_BUDGET_SCOPE): the figures below are theirs too');
  });
});
