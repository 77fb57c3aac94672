import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRows } from '../../../../connectors/sentinel/rows.js';
import { sampleResult } from '../../../integration/connectors/support/sample-result.js';

interface Column {
  name: string;
  type: string;
}
interface Template {
  variables: { streamName: string; columns: Column[] };
  resources: { type: string; properties: { schema?: { columns: Column[] }; streamDeclarations?: Record<string, unknown> } }[];
}

const template = JSON.parse(readFileSync(new URL('../../../../config/sentinel/ip-enrichment.json', import.meta.url), 'utf8')) as Template;
const RESERVED = ['_ResourceId', 'id', '_SubscriptionId', 'TenantId', 'Type', 'UniqueId', 'Title'];

function typeOf(value: unknown, column: string): string {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'int';
  return /Time|Seen/.test(column) ? 'datetime' : 'string';
}

describe('config/sentinel/ip-enrichment.json (table + DCR template)', () => {
  const rows = buildRows(sampleResult({ incidentArmId: null }), 'msg_1');
  const row: Record<string, unknown> = rows[0] ?? {};
  const table = template.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/tables')?.properties.schema?.columns ?? [];
  const stream = template.variables.columns;

  it('declares exactly the columns the sink writes, in the table and in the stream', () => {
    expect(stream.map((c) => c.name)).toEqual(Object.keys(row));
    expect(table.map((c) => ({ name: c.name, type: c.type }))).toEqual(stream);
  });

  it('types every column as the sink fills it', () => {
    for (const column of stream) expect([column.name, column.type]).toEqual([column.name, typeOf(row[column.name] ?? 'x', column.name)]);
  });

  it('uses valid, unreserved column names and the default stream', () => {
    for (const column of stream) {
      expect(column.name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,44}$/);
      expect(RESERVED).not.toContain(column.name);
    }
    expect(template.variables.streamName).toBe('Custom-IpEnrichment_CL');
  });
});
