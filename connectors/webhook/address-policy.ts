import ipaddr from 'ipaddr.js';

/**
 * The range of an address as ipaddr.js names it (`unicast` = public). IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries, since that is where it connects.
 */
export function addressRange(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range();
}

/**
 * Only public unicast addresses are reachable by per-alert callbacks. Everything else — loopback,
 * private, link-local (cloud metadata at 169.254.169.254), unique-local, CGNAT, multicast, reserved,
 * translation prefixes that can tunnel to private space — is refused.
 */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && addressRange(address) === 'unicast';
}
