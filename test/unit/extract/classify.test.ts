import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/errors.js';
import { classifyIp } from '../../../src/extract/index.js';

describe('classifyIp', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['192.52.193.1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.10.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1:2', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['100.64.1.1', 'carrierGradeNat'],
    ['fd12:3456:789a:1::25', 'uniqueLocal'],
    ['240.0.0.1', 'reserved'],
    ['4000::1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::abcd', 'documentation'],
    ['3fff::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['2001:2::1', 'benchmarking'],
    ['2002:c000:221::1', 'sixToFour'],
    ['2001:0:4136:e378::1', 'teredo'],
    ['64:ff9b::c000:221', 'nat64'],
    ['::ffff:8.8.4.4', 'public'],
  ])('%s is %s', (ip, range) => {
    expect(classifyIp(ip).range).toBe(range);
  });

  it('enriches public and private by default, skips the non-routable with a reason', () => {
    expect(classifyIp('8.8.8.8')).toEqual({ range: 'public', enrich: true });
    expect(classifyIp('10.0.0.1')).toEqual({ range: 'private', enrich: true });
    for (const ip of ['127.0.0.1', 'fe80::1', 'ff02::1', '0.0.0.0', '255.255.255.255']) {
      const classification = classifyIp(ip);
      expect(classification.enrich).toBe(false);
      expect(classification.reason).toContain(classification.range);
    }
  });

  it('follows the given policy', () => {
    expect(classifyIp('10.0.0.1', ['public'])).toMatchObject({ range: 'private', enrich: false });
    expect(classifyIp('127.0.0.1', ['loopback'])).toEqual({ range: 'loopback', enrich: true });
  });

  it('refuses text that is not one IP address with INVALID_IP', () => {
    expect(() => classifyIp('1.2.3.4.5')).toThrow(expect.objectContaining({ code: 'INVALID_IP' }));
    try {
      classifyIp('nope');
    } catch (error) {
      expect(hasCode(error, 'INVALID_IP')).toBe(true);
    }
  });
});
