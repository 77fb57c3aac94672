import type { IpRange } from './ip-ranges.js';

export interface ExtractOptions {
  /** Deepest nesting of objects and arrays walked, JSON inside strings included. */
  readonly maxDepth: number;
  /** Distinct host IPs kept per alert (and CIDRs, counted separately). */
  readonly maxIps: number;
  /** Largest alert text accepted, and the most string characters scanned per alert. */
  readonly maxInputBytes: number;
  /** Ranges whose IPs are sent to Defender; the others are listed with a reason. */
  readonly enrichRanges: readonly IpRange[];
}

/**
 * The defaults of EXTRACT_* (the config schema takes them from here), kept out of src/config so
 * that `extract` starts without loading zod.
 */
export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = Object.freeze({
  maxDepth: 64,
  maxIps: 500,
  maxInputBytes: 5 * 1_048_576,
  enrichRanges: Object.freeze([
    'public',
    'private',
    'carrierGradeNat',
    'uniqueLocal',
    'reserved',
    'documentation',
    'benchmarking',
    'sixToFour',
    'teredo',
    'nat64',
    'other',
  ] as const),
});

/** A bound as a whole number ≥ 0; anything else (NaN, negative, missing) falls back to the default. */
function bound(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

export function resolveExtractOptions(options: Partial<ExtractOptions> = {}): ExtractOptions {
  return {
    maxDepth: bound(options.maxDepth, DEFAULT_EXTRACT_OPTIONS.maxDepth),
    maxIps: bound(options.maxIps, DEFAULT_EXTRACT_OPTIONS.maxIps),
    maxInputBytes: bound(options.maxInputBytes, DEFAULT_EXTRACT_OPTIONS.maxInputBytes),
    enrichRanges: options.enrichRanges ?? DEFAULT_EXTRACT_OPTIONS.enrichRanges,
  };
}
