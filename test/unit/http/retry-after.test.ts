import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/http/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('17', now)).toBe(17_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3_000);
  });

  it('reads an IMF-fixdate relative to now', () => {
    expect(parseRetryAfter(new Date(now + 42_000).toUTCString(), now)).toBe(42_000);
  });

  it('reads the obsolete RFC 850 and asctime date forms as GMT', () => {
    expect(parseRetryAfter('Thursday, 15-Jan-26 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Thu Jan 15 12:00:09 2026', now)).toBe(9_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter(new Date(now - 60_000).toUTCString(), now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('2026-01-15T12:00:30Z', now)).toBeUndefined();
  });
});
