import { describe, expect, it } from 'vitest';
import { keySpace } from '../../../src/redis/keys.js';
import { SinkHealthBoard, SUCCESS_WRITE_EVERY_MS } from '../../../src/state/sink-health.js';
import { useRedisSuite } from '../../support/redis-suite.js';

describe('sink health board (real Redis)', () => {
  const suite = useRedisSuite('sink-health');

  const iso = (at: number): string => new Date(at).toISOString();

  it('writes a run of successes at most once per interval, a failure and the success after it at once', async () => {
    const board = new SinkHealthBoard(suite.redis(), keySpace(`${suite.prefix}:a`));
    const t0 = Date.UTC(2026, 11, 5);
    await board.record('contoso', 'webhook', { ok: true }, t0);
    await board.record('contoso', 'webhook', { ok: true }, t0 + SUCCESS_WRITE_EVERY_MS - 1);
    expect((await board.read('contoso')).webhook?.lastSuccessAt).toBe(iso(t0));

    await board.record('contoso', 'webhook', { ok: true }, t0 + SUCCESS_WRITE_EVERY_MS);
    expect((await board.read('contoso')).webhook?.lastSuccessAt).toBe(iso(t0 + SUCCESS_WRITE_EVERY_MS));

    await board.record('contoso', 'webhook', { ok: false, error: 'HTTP 503' }, t0 + SUCCESS_WRITE_EVERY_MS + 1);
    expect((await board.read('contoso')).webhook?.failuresSinceSuccess).toBe(1);
    await board.record('contoso', 'webhook', { ok: true }, t0 + SUCCESS_WRITE_EVERY_MS + 2);
    expect((await board.read('contoso')).webhook).toMatchObject({ lastSuccessAt: iso(t0 + SUCCESS_WRITE_EVERY_MS + 2), failuresSinceSuccess: 0 });
  });

  it('writes a success with notes at once, and keeps sinks apart', async () => {
    const board = new SinkHealthBoard(suite.redis(), keySpace(`${suite.prefix}:b`));
    const t0 = Date.UTC(2026, 11, 5);
    await board.record('contoso', 'splunk', { ok: true }, t0);
    await board.record('contoso', 'webhook', { ok: true }, t0 + 1);
    await board.record('contoso', 'splunk', { ok: true, notes: ['SPLUNK_ACK_OFF'] }, t0 + 2);
    const read = await board.read('contoso');
    expect(read.splunk).toMatchObject({ lastSuccessAt: iso(t0 + 2), lastNotes: ['SPLUNK_ACK_OFF'], lastNotesAt: iso(t0 + 2) });
    expect(read.webhook?.lastSuccessAt).toBe(iso(t0 + 1));
  });

  it('keeps tenants apart: one tenant\'s success neither resets another\'s failures nor holds back its first success', async () => {
    const keys = keySpace(`${suite.prefix}:c`);
    const board = new SinkHealthBoard(suite.redis(), keys);
    const t0 = Date.UTC(2026, 11, 5);
    // Tenant names may hold '.', '-' and '_' (src/config/load.ts): none of them may blur two tenants.
    await board.record('fab.rikam-1', 'webhook', { ok: false, error: 'SINK_UNAVAILABLE: receiver answered 503' }, t0);
    await board.record('contoso', 'webhook', { ok: true }, t0 + 1);
    await board.record('fab.rikam-1', 'webhook', { ok: false, error: 'SINK_UNAVAILABLE: receiver answered 503' }, t0 + 2);
    await board.record('contoso', 'webhook', { ok: true }, t0 + 3);
    // Within contoso's throttle interval, but fabrikam's first success: written at once.
    await board.record('fab.rikam-1', 'callback', { ok: true }, t0 + 4);

    expect(await board.read('fab.rikam-1')).toEqual({
      callback: { lastSuccessAt: iso(t0 + 4), lastFailureAt: null, lastError: null, failuresSinceSuccess: 0, lastNotes: [], lastNotesAt: null },
      webhook: { lastSuccessAt: null, lastFailureAt: iso(t0 + 2), lastError: 'SINK_UNAVAILABLE: receiver answered 503', failuresSinceSuccess: 2, lastNotes: [], lastNotesAt: null },
    });
    expect(await board.read('contoso')).toEqual({
      webhook: { lastSuccessAt: iso(t0 + 1), lastFailureAt: null, lastError: null, failuresSinceSuccess: 0, lastNotes: [], lastNotesAt: null },
    });
    expect(await board.read('northwind')).toEqual({});
  });

  it('never reads what the per-name board of 0.1.0 left behind', async () => {
    const keys = keySpace(`${suite.prefix}:d`);
    // As 0.1.0 wrote it: one hash for every tenant, fields `<sink>:<fact>`.
    await suite.redis().hset(`${suite.prefix}:d:sink-health`, 'webhook:lastSuccessAt', '2026-11-26T00:00:00.000Z', 'webhook:failures', '0');
    expect(await new SinkHealthBoard(suite.redis(), keys).read('default')).toEqual({});
  });
});
