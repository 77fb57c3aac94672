import { extractIPv4s, extractIPv6s, refang } from 'ioc-extractor';
import { canonicalIp, extractIps, parseAlertText } from '../../src/extract/index.js';

/** An extractor under test: alert text in, IP texts out (as the tool writes them). */
export interface Tool {
  readonly name: string;
  extract(text: string): string[];
}

export const ipenrich: Tool = {
  name: 'ipenrich',
  extract: (text) => extractIps(parseAlertText(text)).ips.map((ip) => ip.ip),
};

/** ioc-extractor the way its README extracts from text: refang, then the IPv4 and IPv6 extractors. */
export const iocExtractor: Tool = {
  name: 'ioc-extractor',
  extract: (text) => {
    const refanged = refang(text);
    return [...extractIPv4s(refanged, { sort: false }), ...extractIPv6s(refanged, { sort: false })];
  },
};

/**
 * A tool's output as the distinct canonical addresses it names (so `0:0:…:1` and `::1` count
 * once, and IPv4-mapped addresses as their IPv4); output that is no address stays as written
 * and counts as a false positive.
 */
export function canonicalSet(found: readonly string[]): Set<string> {
  return new Set(found.map((ip) => canonicalIp(ip)?.ip ?? ip));
}
