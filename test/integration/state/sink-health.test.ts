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
    await board.record('webhook', { ok: true }, t0);
    await board.record('webhook', { ok: true }, t0 + SUCCESS_WRITE_EVERY_MS - 1);
    expect((await board.read()).webhook?.lastSuccessAt).toBe(iso(t0));

    await board.record('webhook', { ok: true }, t0 + SUCCESS_WRITE_EVERY_MS);
    expect((await board.read()).webhook?.lastSuccessAt).toBe(iso(t0 + SUCCESS_WRITE_EVERY_MS));

    await board.record('webhook', { ok: false, error: 'HTTP 503' }, t0 + SUCCESS_WRITE_EVERY_MS + 1);
    expect((await board.read()).webhook?.failuresSinceSuccess).toBe(1);
    await board.record('webhook', { ok: true }, t0 + SUCCESS_WRITE_EVERY_MS + 2);
    expect((await board.read()).webhook).toMatchObject({ lastSuccessAt: iso(t0 + SUCCESS_WRITE_EVERY_MS + 2), failuresSinceSuccess: 0 });
  });

  it('writes a success with notes at once, and keeps sinks apart', async () => {
    const board = new SinkHealthBoard(suite.redis(), keySpace(`${suite.prefix}:b`));
    const t0 = Date.UTC(2026, 11, 5);
    await board.record('splunk', { ok: true }, t0);
    await board.record('webhook', { ok: true }, t0 + 1);
    await board.record('splunk', { ok: true, notes: ['SPLUNK_ACK_OFF'] }, t0 + 2);
    const read = await board.read();
    expect(read.splunk).toMatchObject({ lastSuccessAt: iso(t0 + 2), lastNotes: ['SPLUNK_ACK_OFF'], lastNotesAt: iso(t0 + 2) });
    expect(read.webhook?.lastSuccessAt).toBe(iso(t0 + 1));
  });
});
