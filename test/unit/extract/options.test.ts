import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { IP_RANGES } from '../../../src/extract/ip-ranges.js';
import { DEFAULT_EXTRACT_OPTIONS } from '../../../src/extract/index.js';
import { resolveExtractOptions } from '../../../src/extract/options.js';

describe('DEFAULT_EXTRACT_OPTIONS', () => {
  it('equals the configuration defaults (the CLI uses it without loading the schema)', () => {
    const config = loadConfig({});
    expect(DEFAULT_EXTRACT_OPTIONS).toEqual({
      maxDepth: config.EXTRACT_MAX_DEPTH,
      maxIps: config.EXTRACT_MAX_IPS,
      maxInputBytes: config.EXTRACT_MAX_INPUT_BYTES,
      enrichRanges: config.EXTRACT_ENRICH_RANGES,
    });
  });

  it('skips exactly the non-routable ranges the issue names', () => {
    const skipped = IP_RANGES.filter((range) => !DEFAULT_EXTRACT_OPTIONS.enrichRanges.includes(range));
    expect(skipped.sort()).toEqual(['broadcast', 'linkLocal', 'loopback', 'multicast', 'unspecified']);
  });
});

describe('resolveExtractOptions', () => {
  it('keeps valid bounds and replaces unusable ones with the defaults', () => {
    expect(resolveExtractOptions({ maxDepth: 3, maxIps: 0, maxInputBytes: 2_048.7 })).toMatchObject({ maxDepth: 3, maxIps: 0, maxInputBytes: 2_048 });
    expect(resolveExtractOptions({ maxDepth: Number.NaN, maxIps: -1, maxInputBytes: Number.POSITIVE_INFINITY })).toEqual(DEFAULT_EXTRACT_OPTIONS);
  });
});
