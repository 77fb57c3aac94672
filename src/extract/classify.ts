import ipaddr from 'ipaddr.js';
import type { IpRange } from './ip-ranges.js';
import { IpenrichError } from '../errors.js';
import { DEFAULT_EXTRACT_OPTIONS } from './options.js';
import { parseSingleIp } from './canonical-ip.js';
import type { ParsedIp } from './ip-address.js';

export interface IpClassification {
  readonly range: IpRange;
  /** Whether the policy sends this IP to Defender. */
  readonly enrich: boolean;
  /** Why it is not enriched; absent when it is. */
  readonly reason?: string;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

// ipaddr.js files these under "reserved"; the IP_RANGES vocabulary names them separately.
const IPV4_DOCUMENTATION: Cidr[] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map((cidr) => ipaddr.parseCIDR(cidr));
const IPV4_BENCHMARKING: Cidr = ipaddr.parseCIDR('198.18.0.0/15');
const IPV6_DOCUMENTATION: Cidr[] = ['2001:db8::/32', '3fff::/20'].map((cidr) => ipaddr.parseCIDR(cidr));
/** IANA's global unicast space; ipaddr.js calls anything unlisted "unicast", even unassigned space. */
const IPV6_GLOBAL_UNICAST: Cidr = ipaddr.parseCIDR('2000::/3');

/**
 * ipaddr.js range names onto the IP_RANGES vocabulary. AMT and AS112 are anycast services
 * reachable from the internet (IANA: globally reachable), so they count as public; the
 * IETF-reserved special-purpose blocks with no global reachability count as reserved.
 */
const RANGE_NAMES: Readonly<Record<string, IpRange>> = {
  unicast: 'public',
  amt: 'public',
  as112: 'public',
  as112v6: 'public',
  private: 'private',
  loopback: 'loopback',
  linkLocal: 'linkLocal',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  carrierGradeNat: 'carrierGradeNat',
  uniqueLocal: 'uniqueLocal',
  reserved: 'reserved',
  benchmarking: 'benchmarking',
  '6to4': 'sixToFour',
  teredo: 'teredo',
  rfc6052: 'nat64',
  rfc6145: 'nat64',
  deprecatedSiteLocal: 'reserved',
  discard: 'reserved',
  deprecatedOrchid: 'reserved',
  orchid2: 'reserved',
  droneRemoteIdProtocolEntityTags: 'reserved',
  segmentRouting: 'reserved',
};

function matchesAny(address: ipaddr.IPv4 | ipaddr.IPv6, cidrs: readonly Cidr[]): boolean {
  return cidrs.some((cidr) => address.kind() === cidr[0].kind() && address.match(cidr));
}

/** The range of a parsed address (see RANGE_NAMES for the mapping). */
export function rangeOf(parsed: ParsedIp): IpRange {
  if (parsed.version === 4) {
    const address = new ipaddr.IPv4([...parsed.parts]);
    const name = address.range();
    if (name === 'reserved') {
      if (matchesAny(address, IPV4_DOCUMENTATION)) return 'documentation';
      if (address.match(IPV4_BENCHMARKING)) return 'benchmarking';
    }
    return RANGE_NAMES[name] ?? 'other';
  }
  const address = new ipaddr.IPv6([...parsed.parts]);
  const name = address.range();
  if (name === 'reserved' && matchesAny(address, IPV6_DOCUMENTATION)) return 'documentation';
  if (name === 'unicast' && !address.match(IPV6_GLOBAL_UNICAST)) return 'reserved';
  return RANGE_NAMES[name] ?? 'other';
}

export function classifyRange(range: IpRange, enrichRanges: readonly IpRange[]): IpClassification {
  if (enrichRanges.includes(range)) return { range, enrich: true };
  return { range, enrich: false, reason: `${range} address: not in the enrichment policy (EXTRACT_ENRICH_RANGES)` };
}

/**
 * Range and enrichment decision for one IP in any textual form. Throws INVALID_IP for text that
 * is not a single IP address.
 */
export function classifyIp(ip: string, enrichRanges: readonly IpRange[] = DEFAULT_EXTRACT_OPTIONS.enrichRanges): IpClassification {
  const parsed = parseSingleIp(ip);
  if (!parsed) throw new IpenrichError('INVALID_IP', `not an IP address: ${JSON.stringify(ip.slice(0, 80))}`);
  return classifyRange(rangeOf(parsed), enrichRanges);
}
