import { describe, expect, it } from 'vitest';
import { batchEvents, buildEvents, hecTime } from '../../../../connectors/splunk/events.js';
import { sampleIp, sampleResult } from '../../../integration/connectors/support/sample-result.js';

const meta = { index: 'security', source: 'ipenrich', sourcetype: 'ipenrich:ip:stats', host: 'worker-1' };

describe('HEC events', () => {
  it('writes time as epoch seconds with milliseconds', () => {
    expect(hecTime('2015-06-01T19:50:55.500Z')).toBe(1433188255.5);
    expect(JSON.stringify({ time: hecTime('2026-01-11T09:31:02.251Z') })).toBe('{"time":1768123862.251}');
  });

  it('makes one event per alert with the IPs inside and metadata beside `event`', () => {
    const result = sampleResult();
    const [only, ...rest] = buildEvents(result, 'msg_1', meta, false);
    expect(rest).toHaveLength(0);
    const parsed = JSON.parse(only?.json ?? '') as Record<string, unknown> & { event: Record<string, unknown> };
    expect(parsed).toMatchObject({ time: hecTime(result.alertTime ?? ''), index: 'security', source: 'ipenrich', sourcetype: 'ipenrich:ip:stats', host: 'worker-1' });
    expect(parsed.event.eventId).toBe('msg_1');
    expect(parsed.event.alertId).toBe(result.alertId);
    expect((parsed.event.ips as { ip: string }[]).map((ip) => ip.ip)).toEqual(result.ips.map((ip) => ip.ip));
    expect(only?.part).toBe('event:alert');
  });

  it('makes one event per IP, each with its own stable eventId, when asked', () => {
    const result = sampleResult();
    const events = buildEvents(result, 'msg_1', { source: 's', sourcetype: 'st' }, true);
    expect(events.map((e) => e.part)).toEqual(result.ips.map((ip) => `event:${ip.ip}`));
    const first = JSON.parse(events[0]?.json ?? '') as { event: Record<string, unknown>; index?: string };
    expect(first.event).toMatchObject({ eventId: `msg_1:${result.ips[0]?.ip}`, ip: result.ips[0]?.ip, prevalence: result.ips[0]?.prevalence });
    expect(first.index).toBeUndefined();
  });

  it('falls back to completedAt when the alert has no time', () => {
    const result = sampleResult({ alertTime: null });
    const parsed = JSON.parse(buildEvents(result, 'm', meta, false)[0]?.json ?? '') as { time: number };
    expect(parsed.time).toBe(hecTime(result.completedAt));
  });

  it('batches concatenated events under the byte cap, oversize events alone', () => {
    const result = sampleResult({ ips: Array.from({ length: 40 }, (_, i) => sampleIp(`203.0.113.${i + 1}`)) });
    const events = buildEvents(result, 'msg_1', meta, true);
    const cap = 2_000;
    const batches = batchEvents(events, cap);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(events);
    for (const batch of batches) expect(Buffer.byteLength(batch.map((e) => e.json).join(''))).toBeLessThanOrEqual(cap);
    expect(batchEvents(events, 10)).toHaveLength(events.length);
  });
});
