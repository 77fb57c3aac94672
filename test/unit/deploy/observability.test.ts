import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Enricher } from '../../../src/enrich/enricher.js';
import { ERROR_CODES } from '../../../src/errors.js';
import { createIngressMetrics } from '../../../src/metrics/ingress-metrics.js';
import type { AlertsQueue } from '../../../src/queue/alerts-queue.js';
import type { Redis } from '../../../src/redis/connection.js';
import { histogramField, labelField, SHARED_COUNTERS, SHARED_HISTOGRAMS, type SharedHistogramDefinition } from '../../../src/metrics/shared-metric-definitions.js';
import { keySpace } from '../../../src/redis/keys.js';

/**
 * The Grafana dashboard and the Prometheus rules in deploy/ use only metrics that `/metrics` exposes.
 * The names come from a real rendering of the ingress `/metrics` (local metrics, Node defaults and
 * everything read from Redis), not from a hand list: Redis is replaced by stubs that answer empty
 * readings, which still yields every metric family with its `# TYPE` line.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/**
 * The ingress `/metrics` text. With `samples`, every labelled family gets one sample (shared counters
 * and histograms read from Redis, an accepted alert, a request), so its label names show; tenant
 * label values are `default`.
 */
async function renderMetrics(samples = false): Promise<string> {
  const replies = samples
    ? [...SHARED_COUNTERS, ...SHARED_HISTOGRAMS].map((definition) => {
        const values = definition.labelNames.map((label) => (label === 'tenant' ? 'default' : 'x'));
        return { [SHARED_HISTOGRAMS.includes(definition as SharedHistogramDefinition) ? histogramField(values, 'b0') : labelField(values)]: '1' };
      })
    : [];
  const redis = {
    pipeline: () => ({ hgetall: () => undefined, exec: () => Promise.resolve(replies.map((value) => [null, value])) }),
    zcard: () => Promise.resolve(samples ? 1 : 0),
  } as unknown as Redis;
  const emptyRedis = { lrange: () => Promise.resolve([]), zrange: () => Promise.resolve([]) };
  const queue = {
    getJobCounts: (...states: string[]) => Promise.resolve(Object.fromEntries(states.map((state) => [state, 0]))),
    redis: emptyRedis,
    keys: { wait: 'w', prioritized: 'p' },
    toKey: (id: string) => id,
  } as unknown as AlertsQueue;
  const budget: Pick<Enricher, 'limiterStatus' | 'cacheStats'> = {
    limiterStatus: () =>
      Promise.resolve({ at: 0, nextFreeInMs: 0, cooldownMs: 0, admittedTotal: 0, inFlight: 0, windows: [{ max: 100, windowMs: 60_000, used: 0, remaining: 100, freeInMs: 0 }] }),
    cacheStats: () => Promise.resolve({ hits: 1, misses: 1, corrupt: 0 }),
  };
  const metrics = createIngressMetrics({ redis, keys: keySpace('observability'), queue, tenants: ['default'], pendingLimitOf: () => 20_000, budget, redisTimeoutMs: 5_000 });
  if (samples) {
    metrics.alertAccepted('default', false);
    metrics.request('/v1/alerts', 'POST', 202, 0.01);
  }
  const { text } = await metrics.render();
  expect(text, 'the stubs must look like a reachable Redis').toMatch(/^ipenrich_redis_up 1$/m);
  return text;
}

async function exposedMetrics(): Promise<ReadonlyMap<string, string>> {
  const text = await renderMetrics();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

/** Series names (`_bucket`, `_sum`, `_count` included) that /metrics exposes with a `tenant` label. */
async function tenantLabelledSeries(): Promise<ReadonlySet<string>> {
  const text = await renderMetrics(true);
  return new Set([...text.matchAll(/^(ipenrich_[\w:]*)\{([^}]*)\}/gm)].filter((match) => /(^|,)tenant="/.test(match[2] ?? '')).map((match) => match[1] ?? ''));
}

/** Selectors of a tenant-labelled metric that the dashboard's `$tenant` variable does not filter. */
function unfilteredByTenant(expressions: readonly { where: string; expr: string }[], tenantLabelled: ReadonlySet<string>): string[] {
  return expressions.flatMap(({ where, expr }) =>
    [...expr.matchAll(/(?<![\w:])(ipenrich_[\w:]*)(\{[^}]*\})?/g)].flatMap((match) =>
      tenantLabelled.has(match[1] ?? '') && !(match[2] ?? '').includes('tenant=~"$tenant"') ? [`${where}: ${match[0]}`] : [],
    ),
  );
}

/**
 * Metric names in a PromQL expression: every identifier starting with `ipenrich_`, outside string
 * literals (label values and regexes). Wider than "followed by `{`, `[`, `(` or a space" on purpose,
 * so that `absent(ipenrich_redis_up)` or a name at the end of an expression is seen too.
 */
function metricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...code.matchAll(/(?<![\w:])ipenrich_[\w:]*/g)].map((match) => match[0]);
}

/** A histogram's series (`_bucket`, `_sum`, `_count`) belong to its family; anything else is its own name. */
function familyOf(name: string, exposed: ReadonlyMap<string, string>): string {
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (suffix) {
    const base = name.slice(0, suffix.index);
    if (exposed.get(base) === 'histogram' || exposed.get(base) === 'summary') return base;
  }
  return name;
}

function unknownMetrics(expressions: readonly { where: string; expr: string }[], exposed: ReadonlyMap<string, string>): string[] {
  return expressions.flatMap(({ where, expr }) => metricNames(expr).flatMap((name) => (exposed.has(familyOf(name, exposed)) ? [] : [`${where}: ${name}`])));
}

const target = z.object({ expr: z.string().min(1), refId: z.string(), datasource: z.object({ type: z.literal('prometheus'), uid: z.literal('${DS_PROMETHEUS}') }) });
const panel = z.looseObject({ id: z.number(), type: z.string(), title: z.string().min(1), targets: z.array(target).optional() });
const dashboardSchema = z.looseObject({
  __inputs: z.array(z.looseObject({ name: z.string(), type: z.string(), pluginId: z.string() })),
  uid: z.string().regex(/^[\w-]{1,40}$/),
  title: z.string(),
  schemaVersion: z.number(),
  templating: z.object({ list: z.array(z.looseObject({ name: z.string(), query: z.union([z.string(), z.object({ query: z.string() })]).optional() })) }),
  panels: z.array(panel),
});

const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w|y))+$/);
const rulesSchema = z.strictObject({
  groups: z.array(
    z.strictObject({
      name: z.string(),
      interval: duration.optional(),
      rules: z.array(
        z.strictObject({
          alert: z.string().regex(/^[A-Za-z_][\w]*$/),
          expr: z.string().min(1),
          for: duration.optional(),
          labels: z.strictObject({ severity: z.enum(['critical', 'warning', 'info']) }),
          annotations: z.strictObject({ summary: z.string(), description: z.string(), runbook_url: z.string() }),
        }),
      ),
    }),
  ),
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (markdown: string): Set<string> =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
      (match[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

const dashboard = dashboardSchema.parse(JSON.parse(read('deploy/grafana/ipenrich-dashboard.json')));
const rules = rulesSchema.parse(parse(read('deploy/prometheus/ipenrich-alerts.yaml')));
const alerts = rules.groups.flatMap((group) => group.rules);

const dashboardExpressions = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) => {
    const query = typeof v.query === 'object' ? v.query.query : v.query;
    return query === undefined ? [] : [{ where: `variable $${v.name}`, expr: query }];
  }),
];
const panelExpressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })));
const ruleExpressions = alerts.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }));

describe('monitoring: the Grafana dashboard and the Prometheus alerting rules', () => {
  it('finds metric names in PromQL, histogram series and string literals included', () => {
    const exposed = new Map([
      ['ipenrich_job_latency_seconds', 'histogram'],
      ['ipenrich_api_calls_total', 'counter'],
    ]);
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(ipenrich_job_latency_seconds_bucket[5m])))')).toEqual(['ipenrich_job_latency_seconds_bucket']);
    expect(metricNames('absent(ipenrich_redis_up) or ipenrich_x{a="ipenrich_not_a_metric"}')).toEqual(['ipenrich_redis_up', 'ipenrich_x']);
    expect(familyOf('ipenrich_job_latency_seconds_count', exposed)).toBe('ipenrich_job_latency_seconds');
    expect(familyOf('ipenrich_api_calls_total_count', exposed)).toBe('ipenrich_api_calls_total_count');
    expect(unknownMetrics([{ where: 'bogus', expr: 'rate(ipenrich_api_calls_totl[5m])' }], exposed)).toEqual(['bogus: ipenrich_api_calls_totl']);
  });

  it('renders /metrics with the families the deploy files rely on', async () => {
    const exposed = await exposedMetrics();
    expect(exposed.get('ipenrich_job_latency_seconds')).toBe('histogram');
    expect(exposed.get('ipenrich_budget_remaining')).toBe('gauge');
    expect(exposed.get('ipenrich_ingress_process_resident_memory_bytes')).toBe('gauge');
  });

  it('uses in the dashboard only metrics that /metrics exposes, in every panel and variable', async () => {
    const exposed = await exposedMetrics();
    expect(dashboardExpressions.length).toBeGreaterThan(10);
    for (const { where, expr } of dashboardExpressions) expect(metricNames(expr), `${where} queries an ipenrich metric`).not.toEqual([]);
    expect(unknownMetrics(dashboardExpressions, exposed)).toEqual([]);
  });

  it('filters every panel query of a metric with a tenant label by the $tenant variable', async () => {
    const tenantLabelled = await tenantLabelledSeries();
    // The families the dashboard shows per tenant, shared counters read from Redis included.
    expect([...tenantLabelled]).toEqual(
      expect.arrayContaining(['ipenrich_budget_used', 'ipenrich_api_calls_total', 'ipenrich_sink_deliveries_total', 'ipenrich_ingress_alerts_total', 'ipenrich_limiter_waits_total']),
    );
    expect(tenantLabelled.has('ipenrich_queue_jobs')).toBe(false);
    const example = new Set(['ipenrich_sink_deliveries_total']);
    expect(unfilteredByTenant([{ where: 'a', expr: 'rate(ipenrich_sink_deliveries_total{outcome!="delivered"}[5m]) / rate(ipenrich_sink_deliveries_total[5m])' }], example)).toHaveLength(2);
    expect(unfilteredByTenant([{ where: 'b', expr: 'rate(ipenrich_sink_deliveries_total{tenant=~"$tenant", outcome="x"}[5m])' }], example)).toEqual([]);
    expect(unfilteredByTenant(panelExpressions, tenantLabelled)).toEqual([]);
  });

  it('uses in the alerting rules only metrics that /metrics exposes', async () => {
    const exposed = await exposedMetrics();
    for (const { where, expr } of ruleExpressions) expect(metricNames(expr), `${where} queries an ipenrich metric`).not.toEqual([]);
    expect(unknownMetrics(ruleExpressions, exposed)).toEqual([]);
  });

  it('is an importable dashboard: a Prometheus datasource input, a uid, unique panel ids, every panel with a query', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((candidate) => candidate.type !== 'row')) expect(p.targets?.length, `panel "${p.title}"`).toBeGreaterThan(0);
  });

  it('names real error codes as outcomes, and every alert has a runbook section in docs/deploy.md', () => {
    for (const { expr } of [...dashboardExpressions, ...ruleExpressions]) {
      for (const match of expr.matchAll(/outcome(?:=|!=)"([A-Z_]+)"/g)) expect(Object.keys(ERROR_CODES)).toContain(match[1]);
    }
    const sections = anchors(read('docs/deploy.md'));
    for (const rule of alerts) {
      expect(rule.annotations.runbook_url).toBe(`docs/deploy.md#${rule.alert.toLowerCase()}`);
      expect(sections, `docs/deploy.md has a "${rule.alert}" heading`).toContain(rule.alert.toLowerCase());
    }
    expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
  });
});
