import type { ParsedIp } from './ip-address.js';

/**
 * Valid addresses that are never indicators: the unspecified `::` and all of 0.0.0.0/8 ("this
 * network": `0.0.0.0` is "any" or "none" in NAT, bind and flow fields, `0.0.0.255` a wildcard
 * mask; no packet travels to such an address), the limited broadcast `255.255.255.255`, and
 * netmasks (`255.255.255.0`: contiguous ones from the top bit; no host has such an address).
 */
export function isNonIndicator(parsed: ParsedIp): boolean {
  const parts = parsed.parts;
  if (parsed.version === 6) return parts.every((part) => part === 0);
  if (parts[0] === 0) return true;
  if (parts[0] !== 255) return false;
  const value = (((parts[0] << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0);
  const hostBits = ~value >>> 0;
  return (hostBits & (hostBits + 1)) === 0;
}
