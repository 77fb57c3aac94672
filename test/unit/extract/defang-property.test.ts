import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractIps, parseAlertText } from '../../../src/extract/index.js';
import { contain, container, dotForm, joinWithDots } from './defang-alphabet.js';

/**
 * Every mixture of the defang alphabet around a valid quad yields the address, in plain text,
 * JSON strings and JSON inside JSON strings; the same alphabet around versions, object
 * identifiers, dates and invalid octets yields nothing; ranges written with it are networks.
 */

const octet = fc.integer({ min: 0, max: 255 });
/** First octet 1–254: 0.0.0.0/8, 255.255.255.255 and netmasks are never indicators, by rule. */
const hostOctets = fc.tuple(fc.integer({ min: 1, max: 254 }), octet, octet, octet);
const threeDots = fc.array(dotForm, { minLength: 3, maxLength: 3 });

/** Words and separators around a value that never make it an address or a version. */
const before = fc.constantFrom('', ' ', 'ioc: ', 'from ', '(', '"', 'src=', '- ', '\n', 'hxxp://');
const after = fc.constantFrom('', ' ', ')', '"', ',', '/path', ':443', '\n', ' seen twice');

function compareOctets(a: readonly number[], b: readonly number[]): number {
  const at = a.findIndex((value, i) => value !== b[i]);
  return at === -1 ? 0 : (a[at] ?? 0) - (b[at] ?? 0);
}

/** The values an alert holds in each container, as the extractor reads them and as JSON text. */
function extractBoth(alert: unknown): Array<ReturnType<typeof extractIps>> {
  return [extractIps(alert), extractIps(parseAlertText(JSON.stringify(alert)))];
}

function hostsIn(alert: unknown): string[][] {
  return extractBoth(alert).map((result) => result.ips.map((ip) => ip.ip));
}

describe('defang alphabet properties', () => {
  it('every mixture of dot forms around a valid quad yields the address, in every container', () => {
    fc.assert(
      fc.property(hostOctets, threeDots, before, after, container, (octets, dots, head, tail, where) => {
        const text = `${head}${joinWithDots(octets, dots)}${tail}`;
        for (const found of hostsIn(contain(text, where))) expect(found).toEqual([octets.join('.')]);
      }),
      { numRuns: 400 },
    );
  });

  it('a range written with any dot forms is one network, and neither end a host', () => {
    const pair = fc.tuple(hostOctets, hostOctets).filter(([a, b]) => a.join('.') !== b.join('.'));
    fc.assert(
      fc.property(pair, threeDots, threeDots, before, container, ([a, b], dotsA, dotsB, head, where) => {
        const [first, last] = compareOctets(a, b) < 0 ? [a, b] : [b, a];
        const text = `${head}${joinWithDots(first, dotsA)}-${joinWithDots(last, dotsB)} `;
        for (const result of extractBoth(contain(text, where))) {
          expect(result.ips).toEqual([]);
          expect(result.cidrs).toEqual([`${first.join('.')}-${last.join('.')}`]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('versions and section numbers written with any dot forms yield nothing', () => {
    const label = fc.constantFrom('Version=', 'version ', 'ProductVersion: "', 'build ', 'os_version_', 'firmware ', 'CIS ', 'section ');
    const version = fc.tuple(label, hostOctets, threeDots).map(([words, octets, dots]) => `${words}${joinWithDots(octets, dots)}`);
    const product = fc.tuple(fc.constantFrom('Chrome/', 'Edg/', 'YaBrowser/'), fc.integer({ min: 1, max: 255 }), threeDots)
      .map(([name, major, dots]) => `Mozilla/5.0 ${name}${joinWithDots([major, 0, 0, 0], dots)} Safari/537.36`);
    fc.assert(
      fc.property(fc.oneof(version, product), container, (text, where) => {
        for (const found of hostsIn(contain(text, where))) expect(found).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('object identifiers written with any dot forms yield nothing', () => {
    // Longer than a quad anywhere; a four-arc one only under its label.
    const long = fc.integer({ min: 5, max: 10 }).chain((arcs) => fc.tuple(fc.array(octet, { minLength: arcs, maxLength: arcs }), fc.array(dotForm, { minLength: arcs - 1, maxLength: arcs - 1 })))
      .map(([arcs, dots]) => joinWithDots(arcs, dots));
    const labelled = fc.tuple(fc.constantFrom('OID ', 'oid=', 'OID: '), hostOctets, threeDots).map(([label, arcs, dots]) => `${label}${joinWithDots(arcs, dots)}`);
    fc.assert(
      fc.property(fc.oneof(long, labelled), before, container, (oid, head, where) => {
        for (const found of hostsIn(contain(`${head}${oid} `, where))) expect(found).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('dates and times written with any dot forms yield nothing', () => {
    const two = (n: number): string => String(n).padStart(2, '0');
    const date = fc.record({
      year: fc.integer({ min: 1990, max: 2099 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      time: fc.option(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined })), { nil: undefined }),
      shape: fc.constantFrom('iso', 'dotted-dmy', 'dotted-ymd', 'dotted-short', 'slashed'),
      dots: fc.array(dotForm, { minLength: 3, maxLength: 3 }),
    }).map(({ year, month, day, time, shape, dots }) => {
      const day2 = two(day);
      const month2 = two(month);
      const written = {
        iso: `${year}-${month2}-${day2}`,
        'dotted-dmy': joinWithDots([day2, month2, year], dots),
        'dotted-ymd': joinWithDots([year, month2, day2], dots),
        'dotted-short': joinWithDots([day2, month2, two(year % 100)], dots),
        slashed: `${month2}/${day2}/${year}`,
      }[shape];
      if (!time) return written;
      const [hours, minutes, seconds, millis] = time;
      const clock = `${two(hours)}:${two(minutes)}:${two(seconds)}${millis === undefined ? '' : `${dots[2] ?? '.'}${String(millis).padStart(3, '0')}`}`;
      return `${written}${shape === 'iso' ? 'T' : ' '}${clock}`;
    });
    fc.assert(
      fc.property(date, before, container, (text, head, where) => {
        for (const found of hostsIn(contain(`${head}${text} `, where))) expect(found).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a quad with an octet above 255, written with any dot forms, yields nothing', () => {
    const invalid = fc.tuple(hostOctets, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 256, max: 999 }))
      .map(([octets, at, big]) => octets.map((value, i) => (i === at ? big : value)));
    fc.assert(
      fc.property(invalid, threeDots, before, after, container, (octets, dots, head, tail, where) => {
        for (const found of hostsIn(contain(`${head}${joinWithDots(octets, dots)}${tail}`, where))) expect(found).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
