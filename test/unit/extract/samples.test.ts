import { describe, expect, it } from 'vitest';
import { extractIps, parseAlertText } from '../../../src/extract/index.js';
import { loadSamples } from './shared-samples.js';

const samples = loadSamples();

describe('extractIps on the labelled sample alerts', () => {
  it('has the samples to check', () => {
    expect(samples.length).toBeGreaterThanOrEqual(18);
  });

  it.each(samples.map((sample) => [sample.file, sample] as const))('%s yields exactly its expected IPs', (_file, sample) => {
    const result = extractIps(parseAlertText(sample.text));
    expect(result.ips.map((ip) => ip.ip).sort()).toEqual([...sample.expected_ips].sort());
    expect(result.truncated).toBe(false);
    for (const ip of result.ips) expect(ip.paths.length).toBeGreaterThan(0);
  });

  it.each(samples.filter((sample) => Array.isArray(sample.notes.non_routable)).map((sample) => [sample.file, sample] as const))(
    '%s lists its non-routable IPs without enriching them',
    (_file, sample) => {
      const result = extractIps(parseAlertText(sample.text));
      for (const note of sample.notes.non_routable as string[]) {
        const ip = result.ips.find((found) => found.ip === note.split(' ')[0]);
        expect(ip, note).toBeDefined();
        expect(ip?.enrich).toBe(false);
        expect(ip?.reason).toMatch(/not in the enrichment policy/);
      }
    },
  );
});
