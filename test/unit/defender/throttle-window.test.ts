import { describe, expect, it } from 'vitest';
import { parseThrottleWindow } from '../../../src/enrich/defender/throttle-window.js';

describe('parseThrottleWindow', () => {
  it.each([
    ['Rate limit is exceeded. maximum allowed 1500 per 01:00:00', 1500, 3_600_000, '01:00:00'],
    ['API calls quota exceeded! maximum allowed 100 per 00:01:00.', 100, 60_000, '00:01:00'],
    ['maximum allowed 20 per 00:00:01', 20, 1_000, '00:00:01'],
    ['maximum allowed 5 per 00:00:00.5000000', 5, 500, '00:00:00.5000000'],
    ['maximum allowed 10000 calls per 1.00:00:00', 10_000, 86_400_000, '1.00:00:00'],
  ])('%s', (message, max, windowMs, text) => {
    expect(parseThrottleWindow(message)).toEqual({ max, windowMs, text });
  });

  it('finds nothing when no window is named', () => {
    expect(parseThrottleWindow('Too many requests')).toBeUndefined();
    expect(parseThrottleWindow(undefined)).toBeUndefined();
    expect(parseThrottleWindow('maximum allowed 0 per 00:01:00')).toBeUndefined();
  });
});
