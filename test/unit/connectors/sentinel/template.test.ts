import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRows } from '../../../../connectors/sentinel/rows.js';
import { sampleResult } from '../../../integration/connectors/support/sample-result.js';

interface Column {
  name: string;
  type: string;
}
interface Resource {
  type: string;
  name: string;
  location?: string;
  properties: {
    schema?: { columns: Column[] };
    streamDeclarations?: Record<string, { columns: unknown }>;
    expressionEvaluationOptions?: { scope: string };
    parameters?: Record<string, { value: unknown }>;
    template?: ArmTemplate;
  };
  [key: string]: unknown;
}
interface ArmTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: Resource[];
  outputs?: Record<string, unknown>;
}
interface Template extends ArmTemplate {
  variables: { streamName: string; columns: Column[] } & Record<string, unknown>;
}

const template = JSON.parse(readFileSync(new URL('../../../../config/sentinel/ip-enrichment.json', import.meta.url), 'utf8')) as Template;
const RESERVED = ['_ResourceId', 'id', '_SubscriptionId', 'TenantId', 'Type', 'UniqueId', 'Title'];

function typeOf(value: unknown, column: string): string {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'int';
  return /Time|Seen/.test(column) ? 'datetime' : 'string';
}

/** Every ARM expression (`"[…]"`, not the `"[[…"` escape) in a JSON value, with where it sits. */
function expressions(value: unknown, path: string, skip: (path: string) => boolean = () => false): { path: string; text: string }[] {
  if (skip(path)) return [];
  if (typeof value === 'string') return /^\[(?!\[)[\s\S]*\]$/.test(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => expressions(item, `${path}[${i}]`, skip));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [...expressions(key, `${path}{key}`, skip), ...expressions(item, `${path}.${key}`, skip)]);
  }
  return [];
}

function references(text: string, kind: 'parameters' | 'variables'): string[] {
  return [...text.matchAll(new RegExp(`${kind}\\('([^']+)'\\)`, 'g'))].map((m) => m[1] ?? '');
}

/** Templates whose expressions are evaluated in their own scope: the root, and nested ones with scope `inner`. */
function scopes(root: ArmTemplate, path = '$'): { path: string; template: ArmTemplate }[] {
  const nested = root.resources.flatMap((r, i) =>
    r.type === 'Microsoft.Resources/deployments' && r.properties.template && r.properties.expressionEvaluationOptions?.scope === 'inner'
      ? scopes(r.properties.template, `${path}.resources[${i}].properties.template`)
      : [],
  );
  return [{ path, template: root }, ...nested];
}

function allResources(root: ArmTemplate): Resource[] {
  return root.resources.flatMap((r) => [r, ...(r.properties.template ? allResources(r.properties.template) : [])]);
}

describe('config/sentinel/ip-enrichment.json (table + DCR template)', () => {
  const rows = buildRows(sampleResult({ incidentArmId: null }), 'msg_1');
  const row: Record<string, unknown> = rows[0] ?? {};
  const table = template.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/tables')?.properties.schema?.columns ?? [];
  const stream = template.variables.columns;
  const dcr = allResources(template).find((r) => r.type === 'Microsoft.Insights/dataCollectionRules');

  it('declares exactly the columns the sink writes, in the table and in the stream', () => {
    expect(stream.map((c) => c.name)).toEqual(Object.keys(row));
    expect(table.map((c) => ({ name: c.name, type: c.type }))).toEqual(stream);
    expect(Object.keys(dcr?.properties.streamDeclarations ?? {})).toEqual([template.variables.streamName]);
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

  it('refers only to parameters and variables its scope defines', () => {
    for (const { path, template: scope } of scopes(template)) {
      // A nested template with scope `inner` is checked on its own.
      const own = expressions(scope, path, (p) => p !== path && /\.properties\.template$/.test(p));
      expect(own.length).toBeGreaterThan(0);
      for (const { path: where, text } of own) {
        for (const name of references(text, 'parameters')) expect(Object.keys(scope.parameters ?? {}), `${where}: ${text}`).toContain(name);
        for (const name of references(text, 'variables')) expect(Object.keys(scope.variables ?? {}), `${where}: ${text}`).toContain(name);
      }
    }
  });

  it('uses reference() only where ARM allows it: resource properties and outputs, never a parameter default, name or location', () => {
    const misplaced = expressions(template, '$').filter(
      ({ path, text }) => /reference\(/i.test(text) && !/\.properties\.|\.outputs\./.test(path.replace(/\.properties\.template\.(resources|outputs)/g, '.$1')),
    );
    expect(misplaced).toEqual([]);
    for (const resource of allResources(template)) {
      for (const key of ['name', 'location', 'type', 'apiVersion']) expect(JSON.stringify(resource[key] ?? ''), `${resource.type} ${key}`).not.toMatch(/reference\(/i);
    }
  });

  it("puts the rule in the workspace's region (Logs Ingestion requires it) unless a location is given", () => {
    // https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview: the DCR must be in the workspace's region.
    expect(template.parameters?.location?.defaultValue).toBe('');
    const deployment = template.resources.find((r) => r.type === 'Microsoft.Resources/deployments' && r.properties.template?.resources.includes(dcr as Resource));
    expect(dcr?.location).toBe("[parameters('location')]");
    const passed = String(deployment?.properties.parameters?.location?.value);
    expect(passed).toBe("[if(empty(parameters('location')), reference(variables('workspaceId'), '2022-10-01', 'Full').location, parameters('location'))]");
    expect(template.variables.workspaceId).toBe("[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]");
    expect(deployment?.properties.parameters?.workspaceResourceId?.value).toBe("[variables('workspaceId')]");
  });
});
