import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatTimeSpan, SlidingWindowLog } from '../../../src/emulators/sliding-window-log.js';
import { syntheticIpStats } from '../../../src/emulators/synthetic-ip-stats.js';

const windows = [
  { max: 3, windowMs: 1_000 },
  { max: 5, windowMs: 10_000 },
];

/** Brute force: admitted iff every window holds fewer than max admitted calls in (now - windowMs, now]. */
function model(admitted: number[], now: number): boolean {
  return windows.every((w) => admitted.filter((t) => t > now - w.windowMs).length < w.max);
}

describe('Defender emulator sliding-window limits', () => {
  it('admits exactly what a brute-force sliding-window model admits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 80 }), (gaps) => {
        const log = new SlidingWindowLog(windows);
        const admitted: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const expected = model(admitted, now);
          const result = log.admit('k', now);
          if (result.admitted !== expected) return false;
          if (result.admitted) admitted.push(now);
        }
        return true;
      }),
    );
  });

  it('Retry-After is exact: refused one millisecond earlier, admitted then', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 5, maxLength: 60 }), (gaps) => {
        const log = new SlidingWindowLog(windows);
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const result = log.admit('k', now);
          if (!result.admitted) {
            if (log.admit('k', now + result.retryAfterMs - 1).admitted) return false;
            return log.admit('k', now + result.retryAfterMs).admitted;
          }
        }
        return true;
      }),
    );
  });

  it('names the window that refused and keeps keys apart', () => {
    const log = new SlidingWindowLog(windows);
    for (let i = 0; i < 3; i += 1) expect(log.admit('tenant-a', i).admitted).toBe(true);
    const refused = log.admit('tenant-a', 3);
    expect(refused).toMatchObject({ admitted: false, window: { max: 3, windowMs: 1_000 }, retryAfterMs: 997 });
    expect(log.admit('tenant-b', 3).admitted).toBe(true);
  });

  it('formats windows as .NET TimeSpans, as Defender messages do', () => {
    expect(formatTimeSpan(3_600_000)).toBe('01:00:00');
    expect(formatTimeSpan(60_000)).toBe('00:01:00');
    expect(formatTimeSpan(1_000)).toBe('00:00:01');
    expect(formatTimeSpan(500)).toBe('00:00:00.5000000');
    expect(formatTimeSpan(90_061_000)).toBe('1.01:01:01');
  });
});

describe('Defender emulator synthetic data', () => {
  const anchor = Date.UTC(2026, 0, 15, 12);
  const ips = Array.from({ length: 2_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.7`);

  it('is deterministic per IP, seed and look-back', () => {
    expect(syntheticIpStats('203.0.113.9', 720, anchor)).toEqual(syntheticIpStats('203.0.113.9', 720, anchor));
    const differs = ips.some((ip) => JSON.stringify(syntheticIpStats(ip, 720, anchor, 'a')) !== JSON.stringify(syntheticIpStats(ip, 720, anchor, 'b')));
    expect(differs).toBe(true);
  });

  it('mixes unseen, rare, common and new IPs, with dates inside the look-back window', () => {
    const facts = ips.map((ip) => syntheticIpStats(ip, 720, anchor));
    const unseen = facts.filter((f) => f.prevalence === 0);
    const rare = facts.filter((f) => f.prevalence >= 1 && f.prevalence <= 3);
    const common = facts.filter((f) => f.prevalence > 1_000);
    const fresh = facts.filter((f) => f.firstSeen !== null && Date.parse(f.firstSeen) > anchor - 48 * 3_600_000);
    for (const group of [unseen, rare, common, fresh]) expect(group.length).toBeGreaterThan(ips.length * 0.03);
    expect(unseen.every((f) => f.firstSeen === null && f.lastSeen === null)).toBe(true);
    for (const f of facts.filter((x) => x.prevalence > 0)) {
      const first = Date.parse(f.firstSeen ?? '');
      const last = Date.parse(f.lastSeen ?? '');
      expect(first).toBeGreaterThanOrEqual(anchor - 720 * 3_600_000 - 1_000);
      expect(last).toBeGreaterThanOrEqual(first);
      expect(last).toBeLessThanOrEqual(anchor);
    }
  });
});
