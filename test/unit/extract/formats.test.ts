import { describe, expect, it } from 'vitest';
import { extractIps } from '../../../src/extract/index.js';

/**
 * Payloads in the shapes of formats the shared samples do not cover, written after their vendors'
 * documented examples, each with the IPs an analyst expects (labelling rule of samples/README.md).
 */
const CASES: ReadonlyArray<readonly [format: string, alert: unknown, expected: string[]]> = [
  [
    'GuardDuty finding (EventBridge)',
    {
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      detail: {
        schemaVersion: '2.0',
        arn: 'arn:aws:guardduty:us-east-1:123412341234:detector/d6/finding/5a',
        type: 'UnauthorizedAccess:EC2/SSHBruteForce',
        resource: {
          instanceDetails: {
            networkInterfaces: [{ privateIpAddress: '10.30.30.15', privateIpAddresses: [{ privateDnsName: 'ip-10-30-30-15.ec2.internal', privateIpAddress: '10.30.30.15' }], publicIp: '216.160.83.56', publicDnsName: 'ec2-216.160.83.56.us-west-1.compute.amazonaws.com', ipv6Addresses: [] }],
            imageDescription: 'Ubuntu 20.04 AMI',
          },
        },
        service: { serviceName: 'guardduty', action: { networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.0', organization: { asn: '0' } }, localPortDetails: { port: 22 } } }, additionalInfo: { value: '{"sample":true}' } },
        severity: 8,
        description: '198.51.100.0 is performing SSH brute force attacks against i-99999999.',
      },
    },
    ['10.30.30.15', '216.160.83.56', '198.51.100.0'],
  ],
  [
    'Zeek notice',
    { ts: 1_320_435_875.879_278, note: 'SSH::Password_Guessing', msg: '172.16.238.1 appears to be guessing SSH passwords (seen in 30 connections).', sub: 'Sampled servers:  172.16.238.136, 172.16.238.136', src: '172.16.238.1', actions: ['Notice::ACTION_LOG'], suppress_for: 3600.0 },
    ['172.16.238.1', '172.16.238.136'],
  ],
  [
    'QRadar offense with its events',
    { id: 42, description: 'Excessive Firewall Denies Across Multiple Hosts From A Remote Host', offense_source: '203.0.113.77', source_network: 'other', destination_networks: ['Net-10-172-192.Net_10_0_0_0'], events: [{ sourceip: '203.0.113.77', destinationip: '10.1.1.20', identityip: '0.0.0.0', sourcev6: '0:0:0:0:0:0:0:0', 'QIDNAME(qid)': 'Firewall Deny' }] },
    ['203.0.113.77', '10.1.1.20'],
  ],
  [
    'OCSF network activity',
    { class_uid: 4001, metadata: { version: '1.1.0', product: { name: 'Firewall', version: '7.4.1.0' } }, src_endpoint: { ip: '192.0.2.10', port: 51234, intermediate_ips: ['100.64.0.1'] }, dst_endpoint: { ip: '2001:db8:0:0:0:0:0:53', port: 53 }, connection_info: { protocol_ver: 'IPv6' } },
    ['192.0.2.10', '100.64.0.1', '2001:db8::53'],
  ],
  [
    'Okta system log',
    { eventType: 'user.session.start', client: { ipAddress: '198.51.100.23', userAgent: { rawUserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', browser: 'CHROME' } }, request: { ipChain: [{ ip: '198.51.100.23', version: 'V4', source: null }, { ip: '10.0.0.4', version: 'V4' }] }, securityContext: { asNumber: 64496 } },
    ['198.51.100.23', '10.0.0.4'],
  ],
  [
    'Entra ID sign-in log',
    { IPAddress: '2a01:110:68:45::1', UserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15 Edg/120.0.0.0', DeviceDetail: { browser: 'Edge 120.0.0', operatingSystem: 'MacOs' }, NetworkLocationDetails: '[{"networkType":"trustedNamedLocation","networkNames":["HQ 203.0.113.0/24"]}]', AuthenticationDetails: '[{"authenticationMethod":"Password","succeeded":true}]' },
    ['2a01:110:68:45::1'],
  ],
  [
    'CloudTrail',
    { eventVersion: '1.08', sourceIPAddress: '203.0.113.9', userAgent: 'aws-cli/2.13.0 Python/3.11.4 Linux/5.15.0-1040-aws exe/x86_64.ubuntu.22', tlsDetails: { tlsVersion: 'TLSv1.3', clientProvidedHostHeader: 's3.us-east-1.amazonaws.com' }, vpcEndpointId: 'vpce-1a2b3c4d', requestParameters: { bucketName: 'logs', Host: 's3.amazonaws.com' } },
    ['203.0.113.9'],
  ],
  [
    'Splunk webhook with Cisco ASA raw events',
    { sid: 'rt_scheduler_admin', search_name: 'ASA denies', result: { _raw: '<166>Oct 11 22:14:15 fw01 : %ASA-6-302013: Built inbound TCP connection 1234 for outside:198.51.100.7/51234 (198.51.100.7/51234) to inside:10.0.0.25/22 (203.0.113.25/22)', count: '12' } },
    ['198.51.100.7', '10.0.0.25', '203.0.113.25'],
  ],
  [
    'Windows 4624 message',
    { EventID: 4624, Message: 'An account was successfully logged on.\r\n\r\nNetwork Information:\r\n\tWorkstation Name:\tWS01\r\n\tSource Network Address:\t::ffff:192.168.10.44\r\n\tSource Port:\t\t50423\r\n\r\nDetailed Authentication Information:\r\n\tLogon Process:\t\tNtLmSsp \r\n\tPackage Name (NTLM only):\tNTLM V2\r\n\tKey Length:\t\t128\r\n\tLogon GUID:\t\t{00000000-0000-0000-0000-000000000000}' },
    ['192.168.10.44'],
  ],
  [
    'Sysmon network connection',
    { EventID: 3, Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', SourceIp: 'fe80:0:0:0:7d28:4b10:d5a1:3c2e', DestinationIp: '93.184.216.34', DestinationHostname: 'example.com', FileVersion: '10.0.19041.546', Hashes: 'SHA1=0D2A1E6A46E5A8B1EBB8E8E4BBB9F8D2E6A4F1C2,MD5=7353F60B1739074EB17C5F4DDDEFE239' },
    ['fe80::7d28:4b10:d5a1:3c2e', '93.184.216.34'],
  ],
  [
    'nginx access log line in an ECS document',
    { '@timestamp': '2000-10-10T20:55:36Z', event: { original: '93.184.216.34 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "curl/8.4.0"' }, source: { ip: '93.184.216.34' }, ecs: { version: '8.11.0' }, agent: { version: '8.11.1' } },
    ['93.184.216.34'],
  ],
  [
    'Threat report with defanged IPv6 and ports',
    { description: 'C2 at 2001[:]db8[:]1[:][:]beef port 8443, fallback hxxps://203.0.113[.]200:8443/gate.php; see CVE-2023-1234 and build 5.2.1.0 of the loader. Not related: 10.0.19041.1 (Windows build).' },
    ['2001:db8:1::beef', '203.0.113.200'],
  ],
];

describe('extractIps on other documented formats', () => {
  it.each(CASES)('%s', (_format, alert, expected) => {
    expect(extractIps(alert).ips.map((ip) => ip.ip).sort()).toEqual([...expected].sort());
  });

  it('reports the CIDR written inside JSON held in a string', () => {
    const entra = CASES.find(([format]) => format.startsWith('Entra'));
    expect(extractIps(entra?.[1]).cidrs).toEqual(['203.0.113.0/24']);
  });
});
