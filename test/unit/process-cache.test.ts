import { describe, expect, it } from 'vitest';
import { ProcessCache } from '../../src/process-cache.js';

describe('ProcessCache', () => {
  it('answers a value until its expiry, and not from then on', () => {
    const cache = new ProcessCache<string>(10);
    cache.set('a', 'first', 1_000);
    expect(cache.get('a', 999)).toBe('first');
    expect(cache.get('a', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest entry when full; an entry set again counts as new', () => {
    const cache = new ProcessCache<number>(2);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    cache.set('a', 3, 10);
    cache.set('c', 4, 10);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([3, undefined, 4]);
    expect(cache.size).toBe(2);
  });
});
