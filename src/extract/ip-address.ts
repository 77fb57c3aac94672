/**
 * Parsing and canonical formatting of IP address text, without regular expressions or
 * allocation-heavy libraries: the scanner calls these on every candidate it finds.
 *
 * Canonical form: IPv4 plain dotted decimal; IPv6 RFC 5952 (lowercase, no leading zeros, the
 * longest run of two or more zero groups compressed, the first one on a tie); an IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries.
 */

export interface ParsedIp {
  /** Canonical text. */
  readonly ip: string;
  readonly version: 4 | 6;
  /** Four octets (IPv4) or eight 16-bit groups (IPv6): what range classification works on. */
  readonly parts: readonly number[];
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/**
 * Four decimal octets of one to three digits each. Zero-padded octets ("192.168.001.010") are
 * read as decimal, as the logs that write them mean; octal and hex notations are not IP text
 * an analyst would write, so they are refused.
 */
export function parseIPv4Octets(text: string, start = 0, end = text.length): number[] | null {
  const octets: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const code = i < end ? text.charCodeAt(i) : 46;
    if (isDigit(code)) {
      value = value * 10 + (code - 48);
      digits++;
      if (digits > 3 || value > 255) return null;
    } else if (code === 46) {
      if (digits === 0 || octets.length === 4) return null;
      octets.push(value);
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return octets.length === 4 ? octets : null;
}

/** indexOf for one character code, bounded to [start, end) so callers stay linear in their token. */
function indexOfCode(text: string, code: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** Parses one `:`-separated run of groups; the last may be an IPv4 tail when `allowTail`. */
function parseGroups(text: string, start: number, end: number, allowTail: boolean, out: number[]): boolean {
  if (start === end) return true;
  let groupStart = start;
  for (let i = start; i <= end; i++) {
    const code = i < end ? text.charCodeAt(i) : 58;
    if (code !== 58) continue;
    const length = i - groupStart;
    if (length === 0) return false;
    if (i === end && allowTail && indexOfCode(text, 46, groupStart, end) !== -1) {
      const octets = parseIPv4Octets(text, groupStart, end);
      if (!octets) return false;
      out.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
      return true;
    }
    if (length > 4 || out.length === 8) return false;
    let value = 0;
    for (let j = groupStart; j < i; j++) {
      const digit = hexValue(text.charCodeAt(j));
      if (digit < 0) return false;
      value = (value << 4) | digit;
    }
    out.push(value);
    groupStart = i + 1;
  }
  return true;
}

/**
 * The eight groups of an RFC 4291 text address (any compression, any case, leading zeros,
 * IPv4 tail). No zone id, no brackets: callers strip those first.
 */
export function parseIPv6Groups(text: string, start = 0, end = text.length): number[] | null {
  if (end - start < 2) return null;
  let gap = -1;
  for (let i = start; i < end - 1; i++) {
    if (text.charCodeAt(i) !== 58 || text.charCodeAt(i + 1) !== 58) continue;
    if (gap !== -1) return null;
    gap = i;
    i++;
  }
  if (gap !== -1) {
    const head: number[] = [];
    const tail: number[] = [];
    if (!parseGroups(text, start, gap, false, head)) return null;
    if (!parseGroups(text, gap + 2, end, true, tail)) return null;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    const groups = head;
    for (let i = 0; i < missing; i++) groups.push(0);
    for (const group of tail) groups.push(group);
    return groups;
  }
  const groups: number[] = [];
  if (!parseGroups(text, start, end, true, groups)) return null;
  return groups.length === 8 ? groups : null;
}

export function formatIPv4(octets: readonly number[]): string {
  return `${octets[0]}.${octets[1]}.${octets[2]}.${octets[3]}`;
}

/** RFC 5952 section 4: lowercase, no leading zeros, first longest run (>= 2) of zeros as `::`. */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => {
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push((groups[i] ?? 0).toString(16));
    return out.join(':');
  };
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function isIPv4Mapped(groups: readonly number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

function ipv4FromGroups(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

export function ipv4Result(octets: number[]): ParsedIp {
  return { ip: formatIPv4(octets), version: 4, parts: octets };
}

/** An IPv6 address as canonical text, reporting IPv4-mapped addresses as their IPv4. */
export function ipv6Result(groups: number[]): ParsedIp {
  if (isIPv4Mapped(groups)) return ipv4Result(ipv4FromGroups(groups[6] ?? 0, groups[7] ?? 0));
  return { ip: formatIPv6(groups), version: 6, parts: groups };
}

/** Negative, zero or positive as `a` comes before, equals or follows `b` (same version). */
export function compareAddresses(a: ParsedIp, b: ParsedIp): number {
  for (let i = 0; i < a.parts.length; i++) {
    const difference = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
