import ipaddr from 'ipaddr.js';

/**
 * The form cache keys and Defender requests use: IPv4 dotted decimal without leading zeros, IPv6 as
 * RFC 5952 (lowercase, shortest). Returns undefined for anything that is not one IP address
 * (ranges, zone ids, hostnames, octal or hex IPv4 forms).
 */
export function canonicalIp(text: string): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text).toRFC5952String();
  return undefined;
}
