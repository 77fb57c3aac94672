import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IP_RANGES } from '../../../src/extract/ip-ranges.js';
import { hasCode } from '../../../src/errors.js';
import { canonicalIp, extractIps, parseAlertText } from '../../../src/extract/index.js';
import { dotForm } from './defang-alphabet.js';

/**
 * Random addresses in random textual forms, embedded in random text and JSON, are found and
 * canonicalized; random input never throws. The expected canonical form comes from independent
 * oracles: plain decimal for IPv4, the WHATWG URL serializer (RFC 5952 compression) for IPv6.
 */

interface Written {
  /** The address alone, in a random textual form (zone id and every defang of the alphabet included). */
  readonly bare: string;
  /** As it appears in text: maybe in brackets, maybe with a port. */
  readonly text: string;
  readonly canonical: string;
}

const byte = fc.integer({ min: 0, max: 255 });
const group = fc.integer({ min: 0, max: 0xffff });

/**
 * IPv4 addresses whose first octet is 1–254: 0.0.0.0, 255.255.255.255 and netmasks are not
 * indicators by rule (unit-tested on their own), and 0.x.x.x is a range no alert writes.
 */
const ipv4Octets = fc.tuple(fc.integer({ min: 1, max: 254 }), byte, byte, byte);


const ipv4Text = fc
  .record({
    octets: ipv4Octets,
    padded: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    dots: fc.array(dotForm, { minLength: 3, maxLength: 3 }),
    port: fc.option(fc.integer({ min: 0, max: 65_535 }), { nil: undefined }),
    bracketed: fc.boolean(),
  })
  .map(({ octets, padded, dots, port, bracketed }): Written => {
    const parts = octets.map((octet, i) => (padded[i] ? String(octet).padStart(3, '0') : String(octet)));
    const bare = parts.map((part, i) => (i < 3 ? part + (dots[i] ?? '.') : part)).join('');
    let text = bracketed ? `[${bare}]` : bare;
    if (port !== undefined) text = `${text}:${port}`;
    return { bare, text, canonical: octets.join('.') };
  });

function oracleIPv6(groups: readonly number[]): string {
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [(groups[6] ?? 0) >> 8, (groups[6] ?? 0) & 0xff, (groups[7] ?? 0) >> 8, (groups[7] ?? 0) & 0xff].join('.');
  const full = groups.map((g) => g.toString(16)).join(':');
  return new URL(`http://[${full}]/`).hostname.slice(1, -1);
}

/** Every zero run a `::` may replace (RFC 4291 allows one group or more), as [start, end). */
function zeroRuns(groups: readonly number[], limit: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let start = 0; start < limit; start++) {
    for (let end = start + 1; end <= limit && groups[end - 1] === 0; end++) runs.push([start, end]);
  }
  return runs;
}

const ipv6Text = fc
  .record({
    groups: fc.array(fc.oneof(group, fc.constant(0), fc.constant(0)), { minLength: 8, maxLength: 8 }),
    mapped: fc.option(ipv4Octets, { nil: undefined }),
    tail: fc.boolean(),
    compressionPick: fc.nat(),
    compress: fc.boolean(),
    padding: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    zone: fc.option(fc.constantFrom('eth0', '25en0', '12', 'lo0'), { nil: undefined }),
    port: fc.option(fc.integer({ min: 0, max: 65_535 }), { nil: undefined }),
    defangColons: fc.boolean(),
  })
  .filter(({ groups }) => groups.some((g) => g !== 0))
  .map(({ groups: raw, mapped, tail: withTail, compressionPick, compress, padding, upper, zone, port, defangColons }): Written => {
    // An IPv4-mapped address is reported as its IPv4 address, so it must be one that is an indicator.
    const isMapped = mapped !== undefined || (raw.slice(0, 5).every((g) => g === 0) && raw[5] === 0xffff);
    const [a, b, c, d] = mapped ?? [1, 0, 0, 1];
    const groups = isMapped ? [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d] : raw;
    const hexCount = withTail ? 6 : 8;
    const runs = zeroRuns(groups, hexCount);
    const run = compress && runs.length > 0 ? runs[compressionPick % runs.length] : undefined;
    const hex = (i: number): string => {
      const digits = (groups[i] ?? 0).toString(16).padStart(1 + (padding[i] ?? 0), '0').slice(-4);
      return upper[i] ? digits.toUpperCase() : digits;
    };
    const pieces: string[] = [];
    for (let i = 0; i < hexCount; ) {
      if (run && i === run[0]) {
        pieces.push(i === 0 ? '::' : ':');
        i = run[1];
        continue;
      }
      pieces.push(hex(i) + (i + 1 < hexCount || withTail ? ':' : ''));
      i++;
    }
    let address = pieces.join('');
    if (withTail) {
      const [high = 0, low = 0] = [groups[6], groups[7]];
      address += [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
    }
    if (defangColons) address = address.replace(/:/, '[:]');
    const bare = zone === undefined ? address : `${address}%${zone}`;
    return { bare, text: port === undefined ? bare : `[${bare}]:${port}`, canonical: oracleIPv6(groups) };
  });

const written = fc.oneof(ipv4Text, ipv6Text);

/** Neutral filler: words and separators that never form an address or a version context. */
const filler = fc
  .array(fc.oneof(fc.constantFrom('alert', 'connection', 'from', 'to', 'host', 'user', 'failed', 'seen', 'at', 'src=', 'dst:', 'peer', 'été', '中文'), fc.stringMatching(/^[ ,;!?\n\t"'()<>=]{0,4}$/)), { maxLength: 6 })
  .map((parts) => parts.join(' '));
const separator = fc.constantFrom(' ', '\n', '\t', ', ', ' (', ') ', '"', "'", ' = ', '; ', ' <', '> ');

const textWithAddresses = fc
  .array(fc.tuple(filler, separator, written, separator), { minLength: 1, maxLength: 5 })
  .map((chunks) => ({
    text: chunks.map(([words, before, address, after]) => `${words}${before}${address.text}${after}`).join(''),
    expected: [...new Set(chunks.map(([, , address]) => address.canonical))].sort(),
  }));

/** The text placed in a random JSON shape, sometimes as JSON inside a string (Sentinel's Entities). */
const alertWithAddresses = fc
  .record({
    sample: textWithAddresses,
    keys: fc.array(fc.constantFrom('Entities', 'details', 'message', 'evidence', 'Extended Properties', 'a'), { minLength: 1, maxLength: 4 }),
    arrays: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    embedAt: fc.integer({ min: -1, max: 3 }),
  })
  .map(({ sample, keys, arrays, embedAt }) => {
    let value: unknown = sample.text;
    keys.forEach((key, i) => {
      const inner = arrays[i] ? [value] : { [key]: value, note: 'filler' };
      value = i === embedAt ? { [key]: JSON.stringify(inner) } : inner;
    });
    return { alert: value, expected: sample.expected };
  });

function sortedIps(alert: unknown): string[] {
  return extractIps(alert).ips.map((ip) => ip.ip).sort();
}

describe('extraction properties', () => {
  it('canonicalIp reads every textual form of a random address (with no port) to its canonical form', () => {
    fc.assert(
      fc.property(written, (w) => {
        expect(canonicalIp(w.bare)?.ip).toBe(w.canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every random address written in random text, canonical, and nothing else', () => {
    fc.assert(
      fc.property(textWithAddresses, ({ text, expected }) => {
        expect(sortedIps(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds them in random JSON shapes, JSON inside strings included, with a path for each', () => {
    fc.assert(
      fc.property(alertWithAddresses, ({ alert, expected }) => {
        const result = extractIps(alert);
        expect(result.ips.map((ip) => ip.ip).sort()).toEqual(expected);
        for (const ip of result.ips) expect(ip.paths[0]).toMatch(/^\$/);
        expect(sortedIps(parseAlertText(JSON.stringify(alert)))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on any value, and reports only canonical addresses with a known range', () => {
    const addressy = fc.stringMatching(/^[0-9a-fA-F.:%[\]()/ x-]{0,60}$/);
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), addressy, fc.array(addressy)), (value) => {
        const result = extractIps(value, { maxIps: 5, maxDepth: 4 });
        expect(result.ips.length).toBeLessThanOrEqual(5);
        for (const ip of result.ips) {
          expect(canonicalIp(ip.ip)?.ip).toBe(ip.ip);
          expect(IP_RANGES).toContain(ip.range);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parseAlertText returns JSON values and refuses the rest with INPUT_NOT_JSON only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        let parsed: unknown;
        try {
          parsed = parseAlertText(text);
        } catch (error) {
          expect(hasCode(error, 'INPUT_NOT_JSON')).toBe(true);
          return;
        }
        expect(parsed).toEqual(JSON.parse(text));
        expect(() => extractIps(parsed)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
