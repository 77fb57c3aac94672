import { describe, expect, it } from 'vitest';
import { integerOption } from '../../src/commands/integer-option.js';
import { hasCode } from '../../src/errors.js';

describe('integerOption', () => {
  it('is undefined when absent and the number when in range', () => {
    expect(integerOption('limit', undefined, 1)).toBeUndefined();
    expect(integerOption('look-back-hours', '720', 1, 720)).toBe(720);
  });

  it('refuses fractions, text and out-of-range values with a USAGE error naming the range', () => {
    for (const [value, message] of [['0', 'of at least 1'], ['1.5', 'of at least 1'], ['abc', 'of at least 1']] as const) {
      expect(() => integerOption('limit', value, 1)).toThrow(`--limit must be an integer ${message}`);
    }
    let thrown: unknown;
    try {
      integerOption('look-back-hours', '721', 1, 720);
    } catch (error) {
      thrown = error;
    }
    expect(hasCode(thrown, 'USAGE')).toBe(true);
    expect((thrown as Error).message).toBe('--look-back-hours must be an integer from 1 to 720');
  });
});
