/** The vocabulary of address ranges: what `extract` reports per IP and what EXTRACT_ENRICH_RANGES names. */
export const IP_RANGES = [
  'public',
  'private',
  'loopback',
  'linkLocal',
  'multicast',
  'unspecified',
  'broadcast',
  'carrierGradeNat',
  'uniqueLocal',
  'reserved',
  'documentation',
  'benchmarking',
  'sixToFour',
  'teredo',
  'nat64',
  'other',
] as const;
export type IpRange = (typeof IP_RANGES)[number];
