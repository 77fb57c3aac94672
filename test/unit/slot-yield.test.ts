import { describe, expect, it } from 'vitest';
import { isIpenrichError } from '../../src/errors.js';
import { yieldSlotWhenWanted } from '../../src/pipeline/slot-yield.js';
import { waitFor } from '../support/cli-process.js';

describe('yieldSlotWhenWanted', () => {
  it('keeps the slot while nobody else wants it, and gives it up once another job waits', async () => {
    let answers = 0;
    let wanted = false;
    const slot = yieldSlotWhenWanted(() => {
      answers += 1;
      return Promise.resolve(wanted);
    }, 10);
    try {
      await waitFor('three answers of "nobody waits"', () => answers >= 3, 5_000, 5);
      expect(slot.signal.aborted).toBe(false);
      wanted = true;
      await waitFor('the slot given up', () => slot.signal.aborted, 5_000, 5);
      const reason: unknown = slot.signal.reason;
      expect(isIpenrichError(reason) && reason.code).toBe('SINK_UNAVAILABLE');
      expect(isIpenrichError(reason) && reason.retryable).toBe(true);
    } finally {
      slot.stop();
    }
  });

  it('treats a failed check (Redis down) as "nobody waits" and asks again', async () => {
    let answers = 0;
    const slot = yieldSlotWhenWanted(() => {
      answers += 1;
      return answers === 1 ? Promise.reject(new Error('Redis down')) : Promise.resolve(false);
    }, 10);
    try {
      await waitFor('a check after the failed one', () => answers >= 2, 5_000, 5);
      expect(slot.signal.aborted).toBe(false);
    } finally {
      slot.stop();
    }
  });
});
