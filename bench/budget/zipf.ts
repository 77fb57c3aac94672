/**
 * A seeded Zipf sampler: rank k (1-based) of `size` is drawn with probability ∝ 1 / k^exponent, the
 * shape of real alert streams (a few IPs in many alerts, a long tail seen once).
 */
export function zipfSampler(size: number, exponent: number, seed: number): () => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let k = 1; k <= size; k += 1) {
    total += 1 / k ** exponent;
    cumulative[k - 1] = total;
  }
  const random = mulberry32(seed);
  return () => {
    const target = random() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}

/** Small, fast, seeded PRNG (uniform in [0, 1)); the same seed gives the same stream. */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A distinct IPv4 address per rank, inside 10.0.0.0/8. */
export function ipForRank(rank: number): string {
  return `10.${(rank >>> 16) & 255}.${(rank >>> 8) & 255}.${rank & 255}`;
}
