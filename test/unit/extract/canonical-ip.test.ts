import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../../src/extract/index.js';
import { formatIPv6, parseIPv6Groups } from '../../../src/extract/ip-address.js';

describe('canonicalIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4', 4],
    [' 010.001.000.255 ', '10.1.0.255', 4],
    ['1.2.3[.]4', '1.2.3.4', 4],
    ['1[dot]2[dot]3[dot]4', '1.2.3.4', 4],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1', 6],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 6],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 6],
    ['fe80:0000:0000:0000:fada:0cff:fedc:87f1', 'fe80::fada:cff:fedc:87f1', 6],
    ['fe80::1%eth0', 'fe80::1', 6],
    ['[2001:db8::abcd]', '2001:db8::abcd', 6],
    ['::ffff:10.11.12.13', '10.11.12.13', 4],
    ['::FFFF:a0b:c0d', '10.11.12.13', 4],
    ['::1.2.3.4', '::102:304', 6],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', 6],
    ['::', '::', 6],
    ['::1', '::1', 6],
    ['1::', '1::', 6],
    ['0:0:1:0:0:0:0:0', '0:0:1::', 6],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1', 6],
    ['2001[:]db8[:][:]1', '2001:db8::1', 6],
  ])('%s → %s', (text, ip, version) => {
    expect(canonicalIp(text)).toEqual({ ip, version });
  });

  it.each([
    '', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.0004', '01234.1.1.1', '1.2.3.4:80', '1.2.3.4/24', 'a.b.c.d', '0x7f.0.0.1',
    '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '1:::2', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '12345::1',
    'g::1', '1:2:3:4:5:6:7::8', '::1.2.3', '::1.2.3.256', '1.2.3.4::', 'fe80::1%', 'fe80::1% eth0', '[1:2]', 'localhost',
  ])('refuses %j', (text) => {
    expect(canonicalIp(text)).toBeNull();
  });

  it('formats like an independent RFC 5952 implementation (ipaddr.js) for every zero pattern', () => {
    for (let mask = 0; mask < 256; mask++) {
      const groups = Array.from({ length: 8 }, (_, i) => ((mask >> i) & 1 ? 0 : 0xab0 + i));
      const expected = new ipaddr.IPv6(groups).toRFC5952String();
      expect(formatIPv6(groups)).toBe(expected);
      expect(parseIPv6Groups(expected)).toEqual(groups);
    }
  });
});
