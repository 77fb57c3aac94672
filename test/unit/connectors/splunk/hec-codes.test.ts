import { describe, expect, it } from 'vitest';
import { hecOutcome } from '../../../../connectors/splunk/hec-codes.js';

describe('HEC code table (contracts.md 4.3)', () => {
  it.each([
    [200, 0, 'accepted'],
    [503, 9, 'temporary'],
    [503, 18, 'temporary'],
    [503, 19, 'temporary'],
    [503, 20, 'temporary'],
    [500, 8, 'temporary'],
    [403, 1, 'permanent'],
    [401, 2, 'permanent'],
    [401, 3, 'permanent'],
    [403, 4, 'permanent'],
    [400, 5, 'permanent'],
    [400, 6, 'permanent'],
    [400, 7, 'permanent'],
    [400, 10, 'permanent'],
    [400, 11, 'permanent'],
    [400, 12, 'permanent'],
    [400, 13, 'permanent'],
    [400, 14, 'permanent'],
    [400, 15, 'permanent'],
    [400, 16, 'permanent'],
    [400, 21, 'permanent'],
    [400, 22, 'permanent'],
  ] as const)('HTTP %i code %i is %s', (status, code, outcome) => {
    expect(hecOutcome(status, code)).toBe(outcome);
  });

  it('falls back to the HTTP status when there is no HEC code', () => {
    expect(hecOutcome(200, undefined)).toBe('accepted');
    expect(hecOutcome(502, undefined)).toBe('temporary');
    expect(hecOutcome(429, undefined)).toBe('temporary');
    expect(hecOutcome(408, undefined)).toBe('temporary');
    expect(hecOutcome(404, undefined)).toBe('permanent');
    expect(hecOutcome(413, undefined)).toBe('permanent');
  });

  it('never calls a 200 with an error code accepted', () => {
    expect(hecOutcome(200, 9)).toBe('temporary');
    expect(hecOutcome(200, 6)).toBe('permanent');
  });
});
