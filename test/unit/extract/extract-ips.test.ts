import { describe, expect, it } from 'vitest';
import { extractIps } from '../../../src/extract/index.js';
import { newWorkMeter } from '../../../src/extract/work-meter.js';

function ips(alert: unknown): string[] {
  return extractIps(alert).ips.map((ip) => ip.ip);
}

describe('extractIps: what counts as an address in text', () => {
  it.each([
    ['ports', 'src=10.0.0.1:51234 dst=[fe80::1]:443 [10.11.12.13]:12345', ['10.0.0.1', 'fe80::1', '10.11.12.13']],
    ['sentence punctuation', 'Connect to 1.2.3.4. Then 5.6.7.8... and (9.9.9.9), "8.8.4.4"', ['1.2.3.4', '5.6.7.8', '9.9.9.9', '8.8.4.4']],
    ['URL hosts, userinfo, UNC paths', 'http://1.2.3.4/a ftp://u:p@10.0.0.8:21/x \\\\10.1.2.3\\share https://[2001:db8::9]/', ['1.2.3.4', '10.0.0.8', '10.1.2.3', '2001:db8::9']],
    ['an IP in a URL path', 'https://platform.example/#/asi/details/1.183.190.110', ['1.183.190.110']],
    ['percent-encoded URLs', 'url=http%3A%2F%2F93.184.216.34%2Fpath', ['93.184.216.34']],
    ['lists', 'X-Forwarded-For: 1.2.3.4, 5.6.7.8', ['1.2.3.4', '5.6.7.8']],
    ['zero-padded octets, read as decimal', 'host 192.168.001.010', ['192.168.1.10']],
    ['labels glued by a colon', 'ip:10.1.1.1 IPv6:fe80::1 addr6:2001:db8::7 aa:bb:1.2.3.4', ['10.1.1.1', 'fe80::1', '2001:db8::7', '1.2.3.4']],
    ['zone ids, plain and percent-encoded', 'fe80::1%eth0 and fe80::2%25en0', ['fe80::1', 'fe80::2']],
    ['IPv6 in every form', '2001:0DB8:0000:0000:0000:0000:0000:0001 2001:db8:0:0:1:0:0:1 ::ffff:0102:0304 64:ff9b::1.2.3.4', ['2001:db8::1', '2001:db8::1:0:0:1', '1.2.3.4', '64:ff9b::102:304']],
    ['XML event data', '<Data Name="IpAddress">::ffff:10.0.0.5</Data>', ['10.0.0.5']],
    ['defanged', '1[.]2[.]3[.]4 5(.)6(.)7(.)8 9[dot]9[dot]9[dot]9 7{.}7{.}7{.}7 2001[:]db8[:][:]5 hxxp://198[.]44[.]140[.]78/210/184', ['1.2.3.4', '5.6.7.8', '9.9.9.9', '7.7.7.7', '2001:db8::5', '198.44.140.78']],
    // iocextract's IPV4_RE and ioc-extractor's "Partial" and "Any combination" refangs read these too.
    ['brackets on one side', '203[.0.113.9 hxxp://198.51[.100.7/path 192.0.2.]10', ['203.0.113.9', '198.51.100.7', '192.0.2.10']],
    ['brackets opening and closing on different dots', '8.8[.8.]8', ['8.8.8.8']],
    ['mixed bracket kinds in one address', '9.)9[.9.)9 and 4[.]4(.4.4 and 5{.)5[.}5[dot)5', ['9.9.9.9', '4.4.4.4', '5.5.5.5']],
    ['escaped dots (regex-escaped IOC lists, Markdown)', '203\\.0\\.113\\.9 |10\\.1.1.5|', ['203.0.113.9', '10.1.1.5']],
    ['escaped dots in JSON text held in a string', 'log={"ioc":"203\\\\.0\\\\.113\\\\.9"}', ['203.0.113.9']],
    ['loopback and link-local (listed; the policy skips them)', '::1 127.0.0.1 169.254.1.1', ['::1', '127.0.0.1', '169.254.1.1']],
    ['Kerberos SPNs and protocol/address pairs', 'host/10.0.0.5 cifs/10.0.0.6 HTTP/10.0.0.7 tcp/10.0.0.8', ['10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8']],
    ["Java's host/address form", 'Connection refused: localhost/127.0.0.1:8080; connect to server01/10.0.0.5:443 failed', ['127.0.0.1', '10.0.0.5']],
  ])('finds %s', (_what, text, expected) => {
    expect(ips(text)).toEqual(expected);
  });

  it.each([
    ['user-agent product versions', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0'],
    ['tool versions', 'python-requests/2.31.0.0 YaBrowser/23.11.0.0 AppleWebKit/537.36'],
    ['user agents in IIS logs', '2023-10-11 22:14:15 GET /x - 443 - Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+Chrome/120.0.0.0+Safari/537.36'],
    ['labelled versions', 'Version=4.0.0.0, Culture=neutral; Product version 1.2.3.4; build 10.0.0.1; ProductVersion: "1.0.0.1"; os_version_2.3.4.5'],
    ['glued versions', '-V1.0.0.1 v10.0.0.1 jre1.8.0.201'],
    ['section numbers and object identifiers', 'CIS 1.1.1.1 Ensure that; section 2.3.1.1; OID 2.5.29.17, oid=2.5.4.3'],
    ['invalid octets and longer dotted numbers', '999.1.1.1 10.0.19041.1 10.9000.0.1 1.2.3.4.5 1.3.6.1.4.1.311'],
    ['names that contain numbers', '4.3.2.1.in-addr.arpa host.10.0.0.1.example 1.2.3.4x'],
    ['MAC addresses, EUI-64 and fingerprints', '00:1A:C2:7B:00:48 00:1a:c2:7b:00:48:12:34 43:51:43:a1:b5:fc:8b:b7:0a:3a:a9:b1:0f:66:73:a8'],
    ['timestamps', '2021-04-27T12:19:27.7211305Z 10:30:00 Jun 04 09:30:10 1717578914.332298000'],
    ['scope operators and ARNs', 'std::vector Foo::Bar orig_tag::app arn:aws:iam::123456789012:role/x arn:aws:s3:::bucket'],
    ['placeholders, netmasks and wildcard masks', '0.0.0.0 :: 0:0:0:0:0:0:0:0 255.255.255.255 xxx.xxx.x.x 10.x.x.x mask 255.255.255.0 255.255.0.0 wildcard 0.0.0.255'],
    ['the version field of a CEF or LEEF header', 'CEF:0|Vendor|Product|1.0.0.1|100|Name|5|act=x LEEF:1.0|Vendor|Product|2.0.0.1|Evt|'],
    ['hex and integer forms', '0x7f000001 2130706433 {0x5bfc70fc,0x1,0xfe65a8c0,0xc0000001}'],
    ['escaped dots that are not between octets of one address', 'file\\.txt \\d+\\.\\d+ 10\\.0\\.0\\.\\d+ 1\\.2\\.3 1\\.2\\.3\\.4\\.5 Version=1\\.2\\.3\\.4'],
    ['partial brackets that are not between digits', 'f(.5) a[.x (1.2).3.4 x[1].2.3.4'],
  ])('ignores %s', (_what, text) => {
    expect(ips(text)).toEqual([]);
  });

  it('reads CEF extensions while skipping the header version', () => {
    expect(ips('CEF:0|Check Point|VPN-1|1.0.0.1|Log|https|Unknown|src=192.168.101.100 dst=52.173.84.157 origin=192.168.101.254')).toEqual([
      '192.168.101.100',
      '52.173.84.157',
      '192.168.101.254',
    ]);
  });
});

describe('extractIps: networks', () => {
  it('reports address ranges (first-last) as networks, not as two hosts', () => {
    const result = extractIps('src_location 10.0.0.0-10.255.255.255 dst 203[.]0.113.9-203.0.113.20 v6 2001:db8::1-2001:db8::ff, 10.0.0.0-10.255.255.255');
    expect(result.ips).toEqual([]);
    expect(result.cidrs).toEqual(['10.0.0.0-10.255.255.255', '203.0.113.9-203.0.113.20', '2001:db8::1-2001:db8::ff']);
  });

  it('reads hyphen-joined addresses that are no range as hosts', () => {
    const result = extractIps('backwards 10.0.0.9-10.0.0.1, one 1.2.3.4-1.2.3.4, mixed 1.2.3.4-2001:db8::1, spaced 5.6.7.8 - 5.6.7.9');
    expect(result.ips.map((ip) => ip.ip)).toEqual(['10.0.0.9', '10.0.0.1', '1.2.3.4', '2001:db8::1', '5.6.7.8', '5.6.7.9']);
    expect(result.cidrs).toEqual([]);
  });

  it('reports CIDR ranges apart from hosts', () => {
    const result = extractIps('blocked 203.0.113.0/24, 10.0.0.0/8 and 2001:db8::/32; ::ffff:172.16.0.0/108, again 10.0.0.0/8');
    expect(result.ips).toEqual([]);
    expect(result.cidrs).toEqual(['203.0.113.0/24', '10.0.0.0/8', '2001:db8::/32', '172.16.0.0/12']);
  });

  it('treats /32, host bits set, port notation and URL paths as hosts', () => {
    const result = extractIps('1.2.3.4/32 10.1.2.3/24 outside:192.0.2.10/22 http://1.2.3.0/24 2001:db8::1/64');
    expect(result.ips.map((ip) => ip.ip)).toEqual(['1.2.3.4', '10.1.2.3', '192.0.2.10', '1.2.3.0', '2001:db8::1']);
    expect(result.cidrs).toEqual([]);
  });
});

describe('extractIps: JSON structure', () => {
  it('skips dotted quads under version keys but not under other keys', () => {
    const alert = { ProductVersion: '1.0.0.1', versions: ['1.2.3.4'], agent: { version: '8.1.0.1' }, osBuild: '10.0.0.1', extensionOid: '2.5.29.17', server: '10.0.0.2' };
    expect(ips(alert)).toEqual(['10.0.0.2']);
  });

  it('does not scan hashes and fingerprints', () => {
    expect(ips({ sha1: '1.2.3.4', FileHashes: [{ Value: '5.6.7.8' }], thumbprint: '9.9.9.9' })).toEqual(['5.6.7.8']);
  });

  it('reads JSON held in strings, and addresses used as keys', () => {
    const alert = { Entities: JSON.stringify([{ Address: '185.220.101.47', Type: 'ip' }]), stats: { '10.9.8.7': { hits: 3 } } };
    const result = extractIps(alert);
    expect(result.ips.map((ip) => [ip.ip, ip.paths])).toEqual([
      ['185.220.101.47', ['$.Entities(json)[0].Address']],
      ['10.9.8.7', ['$.stats["10.9.8.7"]']],
    ]);
  });

  it('gives one entry per address with every path, quoting keys that are not identifiers', () => {
    const result = extractIps({ 'Client IP address': '81.2.69.142', evidence: [{ ipAddress: '81.2.69.142' }], note: 'from 81.2.69.142 twice 81.2.69.142' });
    expect(result.ips).toEqual([
      { ip: '81.2.69.142', version: 4, range: 'public', enrich: true, paths: ['$["Client IP address"]', '$.evidence[0].ipAddress', '$.note'] },
    ]);
  });

  it('lists field values before addresses only mentioned in text', () => {
    const alert = { description: 'connected to 91.219.236.18 from 10.0.0.1', evidence: [{ ipAddress: '10.0.0.1' }], remoteIp: 'seen at 8.8.8.8' };
    expect(ips(alert)).toEqual(['10.0.0.1', '8.8.8.8', '91.219.236.18']);
  });

  it('walks a top-level string, array or scalar', () => {
    expect(ips('1.1.1.1')).toEqual(['1.1.1.1']);
    expect(ips(['1.1.1.1', ['2.2.2.2']])).toEqual(['1.1.1.1', '2.2.2.2']);
    expect(ips(42)).toEqual([]);
    expect(ips(null)).toEqual([]);
  });
});

describe('extractIps: enrichment policy', () => {
  it('classifies every IP and explains skipped ones', () => {
    const result = extractIps('8.8.8.8 10.0.0.1 127.0.0.1 fe80::1 ff02::1 224.0.0.1 100.64.0.1 fd00::1 192.0.2.1');
    expect(result.ips.map(({ ip, range, enrich }) => [ip, range, enrich])).toEqual([
      ['8.8.8.8', 'public', true],
      ['10.0.0.1', 'private', true],
      ['127.0.0.1', 'loopback', false],
      ['fe80::1', 'linkLocal', false],
      ['ff02::1', 'multicast', false],
      ['224.0.0.1', 'multicast', false],
      ['100.64.0.1', 'carrierGradeNat', true],
      ['fd00::1', 'uniqueLocal', true],
      ['192.0.2.1', 'documentation', true],
    ]);
    expect(result.ips[2]?.reason).toBe('loopback address: not in the enrichment policy (EXTRACT_ENRICH_RANGES)');
    expect(result.ips[0]).not.toHaveProperty('reason');
  });

  it('follows a configured policy', () => {
    const result = extractIps('8.8.8.8 10.0.0.1', { enrichRanges: ['public'] });
    expect(result.ips.map(({ ip, enrich }) => [ip, enrich])).toEqual([
      ['8.8.8.8', true],
      ['10.0.0.1', false],
    ]);
  });
});

describe('extractIps: bounds', () => {
  it('keeps at most maxIps, field values first, and says it truncated', () => {
    const text = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`).join(' ');
    const result = extractIps({ note: text, src: '192.168.0.1' }, { maxIps: 5 });
    expect(result.ips.map((ip) => ip.ip)).toEqual(['192.168.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    expect(result.truncated).toBe(true);
    expect(extractIps({ note: text }, { maxIps: 20 }).truncated).toBe(false);
  });

  it('stops at maxDepth', () => {
    let deep: unknown = '1.2.3.4';
    for (let i = 0; i < 10; i++) deep = { next: deep };
    expect(extractIps(deep, { maxDepth: 10 })).toMatchObject({ ips: [{ ip: '1.2.3.4' }], truncated: false });
    expect(extractIps(deep, { maxDepth: 9 })).toEqual({ ips: [], cidrs: [], truncated: true });
    expect(extractIps({ a: { b: [], c: {} }, ip: '10.0.0.1' }, { maxDepth: 2 }).truncated).toBe(false);
  });

  it('scans at most maxInputBytes characters of strings', () => {
    const alert = { a: `${'x'.repeat(2_000)} 1.1.1.1`, b: 'seen at 2.2.2.2' };
    expect(extractIps(alert, { maxInputBytes: 1_024 })).toMatchObject({ ips: [{ ip: '2.2.2.2' }], truncated: true });
    expect(extractIps(alert)).toMatchObject({ ips: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2' }], truncated: false });
  });

  it('never throws, even on values JSON cannot produce', () => {
    const cyclic: Record<string, unknown> = { ip: '10.0.0.1' };
    cyclic.self = cyclic;
    cyclic.again = cyclic;
    expect(extractIps(cyclic)).toEqual({ ips: [{ ip: '10.0.0.1', version: 4, range: 'private', enrich: true, paths: ['$.ip'] }], cidrs: [], truncated: false });
    let shared: unknown = { ip: '10.0.0.3' };
    for (let i = 0; i < 40; i++) shared = { left: shared, right: shared };
    expect(extractIps(shared, { maxInputBytes: 100_000 })).toMatchObject({ ips: [{ ip: '10.0.0.3' }], truncated: true });
    const hostile = { ip: '10.0.0.2', get boom(): never { throw new Error('getter'); } };
    expect(extractIps(hostile)).toMatchObject({ ips: [{ ip: '10.0.0.2' }], truncated: true });
    expect(ips(new Proxy({}, { ownKeys: () => { throw new Error('proxy'); } }))).toEqual([]);
    expect(extractIps(Buffer.from('10.0.0.1'))).toEqual({ ips: [], cidrs: [], truncated: false });
  });

  it.each([
    ['digits', '1'],
    ['dotted digits', '1.'],
    ['hex and colons', 'a:'],
    ['colons', ':'],
    ['hex', 'f'],
    ['addresses', '1.1.1.1 '],
    ['ranges', '1.1.1.1-1.1.1.2 '],
    ['chained ranges', '1.1.1.1-'],
    ['defanged dots', '[.]'],
    ['partial defangs', '1[.'],
    ['escaped dots', '1\\.'],
    ['backslashes after a digit', '1\\'],
    ['timestamps', '10:30:00.1 '],
    ['CEF headers', 'CEF:0|a|'],
    ['JSON-looking brackets', '{['],
  ])('does work linear in the length of long runs of %s', (_what, unit) => {
    // Counted, not timed: a test must not assert time (it flakes on a loaded machine).
    const work = (text: string): { characters: number; candidates: number } => {
      const meter = newWorkMeter();
      extractIps(text, {}, meter);
      return meter;
    };
    const small = unit.repeat(Math.ceil(10_000 / unit.length));
    const base = work(small);
    const large = work(small.repeat(32));
    // Linear: 32x the text, 32x the work (a unit split at the seam adds a little). Quadratic: 1024x.
    expect(large.characters).toBeLessThanOrEqual(33 * base.characters);
    expect(large.candidates).toBeLessThanOrEqual(33 * base.candidates + 32);
    expect(base.characters).toBeGreaterThanOrEqual(small.length);
  });
});
