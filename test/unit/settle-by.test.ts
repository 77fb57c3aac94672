import { describe, expect, it } from 'vitest';
import { settleBy } from '../../src/settle-by.js';

describe('settleBy', () => {
  it('is true for work that resolves or rejects before the deadline', async () => {
    const far = Date.now() + 60_000;
    expect(await settleBy(Promise.resolve('done'), far)).toBe(true);
    expect(await settleBy(Promise.reject(new Error('failed')), far)).toBe(true);
  });

  it('is false at the deadline for work that never settles, and leaves it running', async () => {
    let settle: (() => void) | undefined;
    const never = new Promise<void>((resolve) => (settle = resolve));
    expect(await settleBy(never, Date.now())).toBe(false);
    settle?.();
    await never;
  });

  it('ignores a rejection that comes after the deadline', async () => {
    let fail: ((error: Error) => void) | undefined;
    const late = new Promise<void>((_, reject) => (fail = reject));
    expect(await settleBy(late, Date.now() - 1)).toBe(false);
    fail?.(new Error('too late'));
    await expect(late).rejects.toThrow('too late');
  });
});
