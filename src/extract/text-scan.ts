import { compareAddresses, ipv4Result, ipv6Result, parseIPv4Octets, parseIPv6Groups, type ParsedIp } from './ip-address.js';
import { refang } from './refang.js';
import { isVersionContext } from './version-context.js';
import type { WorkMeter } from './work-meter.js';

/** One address written in a piece of text. */
export interface TextFind {
  readonly parsed: ParsedIp;
  /** The prefix length when written as a network (`10.0.0.0/8`): a CIDR range, not a host. */
  readonly prefix: number | null;
  /** The last address when written as a range `first-last` (`10.0.0.0-10.255.255.255`): a network too. */
  readonly rangeEnd: ParsedIp | null;
  /** True when the address is the whole value, give or take brackets, quotes and a port. */
  readonly whole: boolean;
}

export interface ScanOptions {
  /** False under keys that hold versions (`ProductVersion`): their dotted quads are not addresses. */
  readonly ipv4: boolean;
  /** Counts the work done (see WorkMeter). */
  readonly meter: WorkMeter;
}

/**
 * Candidates, found in one pass: an IPv6-looking run (two colons among hex digits, then hex,
 * colons and dots, then an optional zone id) or four dot-separated runs of one to three digits.
 * Every quantifier on a prefix is bounded, so a long hex or digit run costs linear time. The
 * candidates are then checked by hand (boundaries, context, syntax) instead of by one
 * all-knowing regular expression, which would be slower and could not say *why* it refused.
 */
const CANDIDATE = /[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z_.-]+)?|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;
/** A CEF or LEEF header; group 1 is the device version field, whose dotted quad is a version. */
const SYSLOG_HEADER = /(?:CEF|LEEF):\s?\d+(?:\.\d+)?\|(?:[^|\\]|\\.)*\|(?:[^|\\]|\\.)*\|((?:[^|\\]|\\.)*)\|/dg;
/**
 * The last address of a range, right after the hyphen: matched in place (sticky) so the work
 * stays within the token. An IPv6 one is the longest run an address can be (45 characters).
 */
const RANGE_END_IPV4 = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/y;
const RANGE_END_IPV6 = /[0-9A-Fa-f:.]{2,45}/y;
/** Eight colon-separated pairs of hex digits: an EUI-64 / MAC address, never written as an IPv6 address. */
const MAC_LIKE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7}$/;

const DOT = 46;
const COLON = 58;
const SLASH = 47;
const HYPHEN = 45;

function isAlnum(code: number): boolean {
  if (code >= 48 && code <= 57) return true;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 122;
}

function isHex(code: number): boolean {
  if (code >= 48 && code <= 57) return true;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * An address must stand alone: `v1.0.0.1`, `x1.2.3.4` and `host.1.2.3.4` are parts of other
 * words. A percent-encoded byte (`%2F1.2.3.4`) or an escaped control character (`\n1.2.3.4`)
 * in front still ends the previous word.
 */
function isBoundaryBefore(text: string, start: number): boolean {
  if (start === 0) return true;
  const code = text.charCodeAt(start - 1);
  if (code === DOT) return start < 2 || !isAlnum(text.charCodeAt(start - 2));
  if (!isAlnum(code)) return true;
  if (start >= 3 && text.charCodeAt(start - 3) === 37 && isHex(text.charCodeAt(start - 2)) && isHex(code)) return true;
  return start >= 2 && text.charCodeAt(start - 2) === 92 && (code === 110 || code === 114 || code === 116);
}

/** After an address: no word character, and no dot that continues a name (`4.3.2.1.in-addr.arpa`). */
function isBoundaryAfter(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const code = text.charCodeAt(end);
  if (code === DOT) return end + 1 >= text.length || !isAlnum(text.charCodeAt(end + 1));
  return !isAlnum(code);
}

/** The host in `scheme://host/…` or `user@host`: a `/N` after it is a path, never a prefix length. */
function isUrlHost(text: string, start: number): boolean {
  let i = start - 1;
  if (text.charCodeAt(i) === 91) i--;
  const code = text.charCodeAt(i);
  return code === 64 || (code === SLASH && text.charCodeAt(i - 1) === SLASH);
}

/** `/N` right after an address, N a whole number (not `/24/path`, not `/210`), or null. */
function prefixAfter(text: string, end: number): number | null {
  if (text.charCodeAt(end) !== SLASH) return null;
  let i = end + 1;
  let value = 0;
  while (i < text.length && i - end <= 3 && isDigit(text.charCodeAt(i))) value = value * 10 + text.charCodeAt(i++) - 48;
  if (i === end + 1) return null;
  const next = text.charCodeAt(i);
  if (i < text.length && (isAlnum(next) || next === SLASH || next === 95 || (next === DOT && isAlnum(text.charCodeAt(i + 1))))) return null;
  return value;
}

function parseIPv4(text: string, start: number, end: number): ParsedIp | null {
  const octets = parseIPv4Octets(text, start, end);
  return octets ? ipv4Result(octets) : null;
}

function parseIPv6(text: string, start: number, end: number): ParsedIp | null {
  const groups = parseIPv6Groups(text, start, end);
  return groups ? ipv6Result(groups) : null;
}

function hostBitsClear(parts: readonly number[], bitsPerPart: number, prefix: number): boolean {
  const full = (1 << bitsPerPart) - 1;
  for (let i = 0; i < parts.length; i++) {
    const covered = Math.min(Math.max(prefix - i * bitsPerPart, 0), bitsPerPart);
    if (((parts[i] ?? 0) & (full >> covered)) !== 0) return false;
  }
  return true;
}

/**
 * The prefix length when the address is written as a network. An address with host bits set
 * (`10.1.2.3/24`, Cisco's `inside:10.1.1.1/22` port notation) or a /32 (/128) names one host.
 */
function networkPrefix(text: string, start: number, end: number, parsed: ParsedIp, writtenAsIPv6: boolean): number | null {
  let prefix = prefixAfter(text, end);
  if (prefix === null || isUrlHost(text, start)) return null;
  if (writtenAsIPv6 && parsed.version === 4) prefix = prefix >= 96 ? prefix - 96 : -1;
  const bits = parsed.version === 4 ? 32 : 128;
  if (prefix < 0 || prefix >= bits) return null;
  return hostBitsClear(parsed.parts, parsed.version === 4 ? 8 : 16, prefix) ? prefix : null;
}

function isDecoration(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 34 || code === 39 || code === 40 || code === 41
    || code === 91 || code === 93 || code === 60 || code === 62 || code === 44 || code === 59 || code === DOT;
}

/** Whether nothing but brackets, quotes, spaces and a `:port` or `/prefix` surrounds [start, end). */
function isWholeValue(text: string, start: number, end: number): boolean {
  if (start > 8 || text.length - end > 16) return false;
  for (let i = 0; i < start; i++) if (!isDecoration(text.charCodeAt(i))) return false;
  let i = end;
  if (text.charCodeAt(i) === 93) i++;
  const mark = text.charCodeAt(i);
  if (mark === COLON || mark === SLASH) {
    i++;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  }
  for (; i < text.length; i++) if (!isDecoration(text.charCodeAt(i))) return false;
  return true;
}

type Visit = (find: TextFind) => void;

class Scan {
  /** Spans (ascending) where dotted quads are versions; `next` walks them as candidates advance. */
  private readonly excluded: Array<[number, number]> = [];
  private next = 0;

  constructor(
    private readonly text: string,
    private readonly options: ScanOptions,
    private readonly visit: Visit,
  ) {
    options.meter.characters += text.length;
    if (text.indexOf('EF:') !== -1) {
      options.meter.characters += text.length;
      for (const match of text.matchAll(SYSLOG_HEADER)) {
        const span = match.indices?.[1];
        if (span) this.excluded.push(span);
      }
    }
  }

  run(): void {
    const text = this.text;
    const meter = this.options.meter;
    CANDIDATE.lastIndex = 0;
    for (;;) {
      const from = CANDIDATE.lastIndex;
      const match = CANDIDATE.exec(text);
      if (match === null) {
        meter.characters += text.length - from;
        return;
      }
      const token = match[0];
      const start = match.index;
      meter.characters += start + token.length - from;
      meter.candidates++;
      if (token.indexOf(':') === -1) this.ipv4(start, start + token.length);
      else this.ipv6(token, start);
    }
  }

  private isExcluded(start: number): boolean {
    while (this.next < this.excluded.length && (this.excluded[this.next]?.[1] ?? 0) <= start) this.next++;
    const span = this.excluded[this.next];
    return span !== undefined && start >= span[0];
  }

  private emit(parsed: ParsedIp, start: number, end: number, writtenAsIPv6: boolean): void {
    const prefix = networkPrefix(this.text, start, end, parsed, writtenAsIPv6);
    this.visit({
      parsed,
      prefix,
      rangeEnd: prefix === null ? this.rangeEnd(parsed, end, writtenAsIPv6) : null,
      whole: isWholeValue(this.text, start, end),
    });
  }

  /**
   * The last address of a range written `first-last` with no spaces, as PAN-OS and most firewall
   * configurations write address ranges; null unless both ends are the same version and the
   * first comes before the last (otherwise they are two hosts, scanned as such). The last
   * address is consumed: it is not also a host.
   */
  private rangeEnd(first: ParsedIp, end: number, writtenAsIPv6: boolean): ParsedIp | null {
    const text = this.text;
    if (text.charCodeAt(end) !== HYPHEN) return null;
    const pattern = writtenAsIPv6 ? RANGE_END_IPV6 : RANGE_END_IPV4;
    pattern.lastIndex = end + 1;
    const match = pattern.exec(text);
    if (!match) return null;
    this.options.meter.characters += match[0].length;
    let last = end + 1 + match[0].length;
    while (text.charCodeAt(last - 1) === DOT) last--;
    if (!isBoundaryAfter(text, last)) return null;
    const parsed = writtenAsIPv6 ? parseIPv6(text, end + 1, last) : parseIPv4(text, end + 1, last);
    if (!parsed || parsed.version !== first.version || compareAddresses(first, parsed) >= 0) return null;
    CANDIDATE.lastIndex = last;
    return parsed;
  }

  private ipv4(start: number, end: number): void {
    const text = this.text;
    if (!this.options.ipv4 || !isBoundaryBefore(text, start) || !isBoundaryAfter(text, end)) return;
    const octets = parseIPv4Octets(text, start, end);
    if (!octets || this.isExcluded(start) || isVersionContext(text, start, octets)) return;
    this.emit(ipv4Result(octets), start, end, false);
  }

  /** Returns true when [start, end) was settled (an address, or a MAC address that is not one). */
  private tryIPv6(start: number, addressEnd: number, end: number): boolean {
    const text = this.text;
    if (!isBoundaryBefore(text, start) || !isBoundaryAfter(text, end)) return false;
    if (addressEnd - start === 23 && MAC_LIKE.test(text.slice(start, addressEnd))) return true;
    const groups = parseIPv6Groups(text, start, addressEnd);
    if (!groups) return false;
    this.emit(ipv6Result(groups), start, addressEnd, true);
    return true;
  }

  /** `token` is the candidate match at `offset`; searches stay inside it to keep the scan linear. */
  private ipv6(token: string, offset: number): void {
    let start = 0;
    let end = token.length;
    while (end > 0 && token.charCodeAt(end - 1) === DOT) end--;
    const percent = token.indexOf('%');
    const hasZone = percent !== -1 && percent < end;
    let addressEnd = hasZone ? percent : end;
    // a label's colon after the address ("fe80::1: unreachable"), but keep a final "::"
    if (!hasZone && token.charCodeAt(end - 1) === COLON && token.charCodeAt(end - 2) !== COLON) addressEnd = --end;
    // a label's colon before it ("ip:fe80::1" matches from the colon)
    if (token.charCodeAt(0) === COLON && token.charCodeAt(1) !== COLON) start = 1;
    if (this.tryIPv6(offset + start, offset + addressEnd, offset + end)) return;
    // a label glued to the address by a colon: "IPv6:fe80::1", "addr6:2001:db8::1"
    const colon = token.indexOf(':', start);
    if (colon > start && colon + 1 < addressEnd && this.tryIPv6(offset + colon + 1, offset + addressEnd, offset + end)) return;
    // an IPv4 address after a colon-separated label: "aa:bb:1.2.3.4"
    const lastColon = token.lastIndexOf(':', addressEnd - 1);
    if (hasZone || lastColon < start || lastColon + 1 >= addressEnd) return;
    if (token.indexOf('.', lastColon) !== -1 && isDigit(token.charCodeAt(lastColon + 1))) {
      this.ipv4(offset + lastColon + 1, offset + addressEnd);
    }
  }
}

/** Whether the text can hold an address at all: the check that keeps most strings cheap. */
function mayHoldAddress(text: string): boolean {
  if (text.length < 3) return false;
  if (text.indexOf('.') !== -1 || text.indexOf(':') !== -1) return true;
  // Only `1[dot]2[dot]3[dot]4` and its kin write an address with neither dots nor colons.
  return (text.indexOf('[') !== -1 || text.indexOf('(') !== -1 || text.indexOf('{') !== -1) && /dot/i.test(text);
}

/** Visits every address written in `text` (defanged or not), in order. */
export function scanText(text: string, options: ScanOptions, visit: Visit): void {
  options.meter.characters += text.length;
  if (!mayHoldAddress(text)) return;
  new Scan(refang(text, options.meter), options, visit).run();
}
