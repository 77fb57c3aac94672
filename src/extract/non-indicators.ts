import type { ParsedIp } from './ip-address.js';

/**
 * Valid addresses that are never indicators: the unspecified addresses (`0.0.0.0`, `::`: "any" or
 * "none" in NAT, bind and flow fields), the limited broadcast `255.255.255.255`, and netmasks
 * (`255.255.255.0`: contiguous ones from the top bit; no host has such an address).
 */
export function isNonIndicator(parsed: ParsedIp): boolean {
  const parts = parsed.parts;
  if (parts.every((part) => part === 0)) return true;
  if (parsed.version === 6) return false;
  if (parts[0] !== 255) return false;
  const value = (((parts[0] << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0);
  const hostBits = ~value >>> 0;
  return (hostBits & (hostBits + 1)) === 0;
}
