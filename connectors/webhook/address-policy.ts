import ipaddr from 'ipaddr.js';

/**
 * The range of an address as ipaddr.js names it (`unicast` = public). IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries, since that is where it connects.
 * IPv4-compatible IPv6 (`::a9fe:a9fe`, the rest of `::/96` beside `::` and `::1`) is its own range,
 * `ipv4Compatible`: deprecated (RFC 4291 §2.5.5.1, https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.1),
 * yet ipaddr.js calls it unicast, and a host with an automatic tunnel would reach the IPv4 address in it.
 */
export function addressRange(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.parts.slice(0, 6).every((part) => part === 0) && v6.range() === 'unicast') return 'ipv4Compatible';
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
