import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../../connectors/webhook/retry-schedule.js';

describe('backoff', () => {
  it('doubles per attempt with jitter between half and the full ceiling', () => {
    expect(backoffMs(1, 500, () => 0)).toBe(250);
    expect(backoffMs(1, 500, () => 1)).toBe(500);
    expect(backoffMs(3, 500, () => 0)).toBe(1_000);
    expect(backoffMs(3, 500, () => 1)).toBe(2_000);
  });
});
