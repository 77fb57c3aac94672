import type { LabelledSample } from '../../test/unit/extract/shared-samples.js';

/** One alert of the benchmark corpus: its JSON text and the IPs an analyst expects in it. */
export interface CorpusAlert {
  readonly text: string;
  readonly expected: readonly string[];
}

/** mulberry32: a small deterministic PRNG, so every run measures the same corpus. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomIPv4(random: () => number): string {
  const octet = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  // 1–223 without 127: unicast space an alert would carry (public, private, CGNAT alike).
  let first = octet(1, 223);
  if (first === 127) first = 128;
  return `${first}.${octet(0, 255)}.${octet(0, 255)}.${octet(1, 254)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A copy of a sample with fresh addresses: every expected IPv4 written plainly is replaced by a
 * random one (the same one everywhere in the alert); addresses written otherwise (defanged, IPv6)
 * stay. Half the copies are re-serialized compact, half indented, as different sources write them.
 */
function mutate(sample: LabelledSample, random: () => number): CorpusAlert {
  let text = sample.text.toString('utf8');
  const expected: string[] = [];
  for (const ip of sample.expected_ips) {
    const written = new RegExp(`(?<![\\d.])${escapeRegExp(ip)}(?![\\d])`, 'g');
    if (ip.includes(':') || !written.test(text)) {
      expected.push(ip);
      continue;
    }
    const replacement = randomIPv4(random);
    text = text.replace(written, replacement);
    expected.push(replacement);
  }
  const json: unknown = JSON.parse(text);
  return { text: random() < 0.5 ? JSON.stringify(json) : JSON.stringify(json, null, 2), expected };
}

/** Mutated copies of the samples, in random order, until the corpus holds `targetBytes`. */
export function buildCorpus(samples: readonly LabelledSample[], targetBytes: number, seed: number): CorpusAlert[] {
  const random = prng(seed);
  const corpus: CorpusAlert[] = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    const sample = samples[Math.floor(random() * samples.length)];
    if (!sample) break;
    const alert = mutate(sample, random);
    corpus.push(alert);
    bytes += Buffer.byteLength(alert.text);
  }
  return corpus;
}
