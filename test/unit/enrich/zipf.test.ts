import { describe, expect, it } from 'vitest';
import { ipForRank, zipfSampler } from '../../../bench/budget/zipf.js';

describe('benchmark stream: Zipf sampler', { timeout: 120_000 }, () => {
  it('repeats with the same seed and differs with another', () => {
    const draw = (seed: number): number[] => {
      const sample = zipfSampler(1_000, 1, seed);
      return Array.from({ length: 50 }, sample);
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws ranks in range with frequencies close to 1/k', () => {
    const size = 100;
    const sample = zipfSampler(size, 1, 42);
    const counts = new Array<number>(size + 1).fill(0);
    const draws = 200_000;
    for (let i = 0; i < draws; i += 1) {
      const rank = sample();
      expect(rank).toBeGreaterThanOrEqual(1);
      expect(rank).toBeLessThanOrEqual(size);
      counts[rank] = (counts[rank] ?? 0) + 1;
    }
    const harmonic = Array.from({ length: size }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);
    for (const rank of [1, 2, 10, 100]) {
      const expected = draws / rank / harmonic;
      expect(Math.abs((counts[rank] ?? 0) - expected) / expected).toBeLessThan(0.1);
    }
  });

  it('maps ranks to distinct addresses', () => {
    const ips = new Set(Array.from({ length: 70_000 }, (_, i) => ipForRank(i + 1)));
    expect(ips.size).toBe(70_000);
    expect(ipForRank(1)).toBe('10.0.0.1');
    expect(ipForRank(65_536)).toBe('10.1.0.0');
  });
});
