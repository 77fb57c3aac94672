import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePrevalenceQuery } from '../../../src/emulators/graph-hunting.js';
import { DEFAULT_OUTBOUND_ACTION_TYPES } from '../../../src/enrich/hunting/sources.js';
import { PREVALENCE_COLUMNS, PREVALENCE_QUERY_FILE, prevalenceQuery } from '../../../src/enrich/hunting/prevalence-query.js';

const template = readFileSync(PREVALENCE_QUERY_FILE, 'utf8');
const actionTypes = [...DEFAULT_OUTBOUND_ACTION_TYPES];

describe('the prevalence KQL (config/hunting/ip-prevalence.kql)', () => {
  it('fills the batch, the look-back and the counted action types into the three let lines, and changes nothing else', () => {
    const query = prevalenceQuery({ ips: ['198.51.100.7', '2001:db8::5'], lookBackHours: 48, actionTypes });
    expect(query).toContain('let lookBack = 48h;');
    expect(query).toContain('let ips = dynamic(["198.51.100.7", "2001:db8::5"]);');
    expect(query).toContain('let outbound = dynamic(["ConnectionSuccess", "ConnectionFailed", "ConnectionRequest"]);');
    const unchanged = (text: string): string[] => text.split('\n').filter((line) => !line.startsWith('let '));
    expect(unchanged(query)).toEqual(unchanged(template));
    expect(parsePrevalenceQuery(query)).toEqual({ ips: ['198.51.100.7', '2001:db8::5'], lookBackHours: 48 });
  });

  it('returns exactly the documented columns, counts distinct devices, and maps IPv4-mapped IPv6 to IPv4', () => {
    const project = template.split('\n').find((line) => line.startsWith('| project '));
    expect(project).toBe(`| project ${PREVALENCE_COLUMNS.join(', ')}`);
    expect(template).toContain('OrgPrevalence = dcount(DeviceId');
    expect(template).toMatch(/RemoteIP startswith "::ffff:".*substring\(RemoteIP, 7\)/);
    expect(template).toContain('where Timestamp > ago(lookBack)');
    expect(template).toContain('where ActionType in (outbound)');
  });

  it('refuses what could break out of the query: non-canonical IPs, odd action types, bad look-backs, empty batches', () => {
    expect(() => prevalenceQuery({ ips: ['1.2.3.4"); DeviceInfo | take 1 //'], lookBackHours: 48, actionTypes })).toThrow(/canonical/);
    expect(() => prevalenceQuery({ ips: ['1.2.3.4'], lookBackHours: 48, actionTypes: ['Connection"Success'] })).toThrow(/identifiers/);
    expect(() => prevalenceQuery({ ips: ['1.2.3.4'], lookBackHours: 721, actionTypes })).toThrow(/720/);
    expect(() => prevalenceQuery({ ips: [], lookBackHours: 48, actionTypes })).toThrow(/at least one/);
  });

  it('the emulator refuses a query that is not the prevalence query', () => {
    expect(parsePrevalenceQuery('DeviceInfo | take 10')).toBeUndefined();
    expect(parsePrevalenceQuery(template.replace('"203.0.113.5"', '"not-an-ip"'))).toBeUndefined();
  });
});
