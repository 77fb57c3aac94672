import { ipv4Result, ipv6Result, parseIPv4Octets, parseIPv6Groups, type ParsedIp } from './ip-address.js';
import { refang } from './refang.js';

/**
 * One IP address in any textual form, or null: IPv4 dotted quad (zero-padded octets read as
 * decimal); IPv6 in every RFC 4291 form (compressed or not, any case, IPv4 tail), optionally in
 * brackets, with a zone id (dropped); defanged dots and colons. Nothing else may surround it:
 * no port, no prefix length, no other text.
 */
export function parseSingleIp(text: string): ParsedIp | null {
  let value = refang(text.trim());
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  if (value.indexOf(':') === -1) {
    const octets = parseIPv4Octets(value);
    return octets ? ipv4Result(octets) : null;
  }
  const zone = value.indexOf('%');
  if (zone !== -1) {
    if (zone === value.length - 1 || /[\s/]/.test(value.slice(zone))) return null;
    value = value.slice(0, zone);
  }
  const groups = parseIPv6Groups(value);
  return groups ? ipv6Result(groups) : null;
}

/** The canonical form of a single IP address (see parseSingleIp for what is accepted), or null. */
export function canonicalIp(text: string): { ip: string; version: 4 | 6 } | null {
  const parsed = parseSingleIp(text);
  return parsed ? { ip: parsed.ip, version: parsed.version } : null;
}
