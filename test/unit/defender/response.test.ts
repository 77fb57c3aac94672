import { describe, expect, it } from 'vitest';
import { ipStatsBodySchema, parseDefenderError, prevalenceOf } from '../../../src/enrich/defender/response.js';

describe('Defender IP statistics body', () => {
  it('accepts the current shape (organizationPrevalence number)', () => {
    const body = ipStatsBodySchema.parse({
      '@odata.context': 'https://api.security.microsoft.com/api/$metadata#microsoft.windowsDefenderATP.api.InOrgIPStats',
      ipAddress: '10.209.67.177',
      organizationPrevalence: 63515,
      orgFirstSeen: '2017-07-30T13:36:06Z',
      orgLastSeen: '2017-08-29T13:32:59Z',
    });
    expect(prevalenceOf(body)).toBe(63515);
    expect(body.orgFirstSeen).toBe('2017-07-30T13:36:06.000Z');
    expect(body.orgLastSeen).toBe('2017-08-29T13:32:59.000Z');
  });

  it('accepts the older shape (orgPrevalence string)', () => {
    const body = ipStatsBodySchema.parse({ ipAddress: '10.209.67.177', orgPrevalence: '63515', orgFirstSeen: '2017-07-30T13:36:06Z', orgLastSeen: '2017-08-29T13:32:59Z' });
    expect(prevalenceOf(body)).toBe(63515);
  });

  it('accepts null or absent dates (prevalence 0) and .NET precision or offsets', () => {
    expect(ipStatsBodySchema.parse({ organizationPrevalence: 0, orgFirstSeen: null, orgLastSeen: null }).orgFirstSeen).toBeNull();
    expect(ipStatsBodySchema.parse({ organizationPrevalence: 0 }).orgLastSeen).toBeUndefined();
    expect(ipStatsBodySchema.parse({ organizationPrevalence: 1, orgFirstSeen: '2017-07-30T13:36:06.1234567Z' }).orgFirstSeen).toBe('2017-07-30T13:36:06.123Z');
    expect(ipStatsBodySchema.parse({ organizationPrevalence: 1, orgFirstSeen: '2017-07-30T15:36:06+02:00' }).orgFirstSeen).toBe('2017-07-30T13:36:06.000Z');
    expect(ipStatsBodySchema.parse({ organizationPrevalence: 1, orgFirstSeen: '2017-07-30T13:36:06' }).orgFirstSeen).toBe('2017-07-30T13:36:06.000Z');
  });

  it.each([
    ['no prevalence at all', { ipAddress: '1.2.3.4' }],
    ['negative prevalence', { organizationPrevalence: -1 }],
    ['fractional prevalence', { organizationPrevalence: 1.5 }],
    ['non-numeric string prevalence', { orgPrevalence: 'many' }],
    ['a date that is not a date', { organizationPrevalence: 3, orgFirstSeen: 'yesterday' }],
    ['an impossible date', { organizationPrevalence: 3, orgLastSeen: '2017-13-45T99:99:99Z' }],
    ['an array', [1, 2, 3]],
  ])('rejects %s', (_label, body) => {
    expect(ipStatsBodySchema.safeParse(body).success).toBe(false);
  });

  it('reads the error envelope, and nothing from other bodies', () => {
    const envelope = Buffer.from(JSON.stringify({ error: { code: 'ResourceNotFound', message: 'Ip 1.2.3.4 was not found', target: 'abc' } }));
    expect(parseDefenderError(envelope)).toEqual({ code: 'ResourceNotFound', message: 'Ip 1.2.3.4 was not found', target: 'abc' });
    expect(parseDefenderError(Buffer.from('<html>Not Found</html>'))).toBeUndefined();
    expect(parseDefenderError(Buffer.from('{"message":"no"}'))).toBeUndefined();
  });
});
