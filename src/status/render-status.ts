import { escapeControl } from '../escape-control.js';
import { redactUrlsIn } from '../http/redact-url.js';
import type { LimiterStatus } from '../enrich/limiter.js';
import type { StatusReport } from './collect-status.js';

/** Names and messages come from tenants' settings, alerts and receivers' answers: safe for a terminal, no credentials. */
function shown(text: string): string {
  return escapeControl(redactUrlsIn(text));
}

function duration(ms: number): string {
  if (ms <= 0) return 'now';
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.ceil(ms / 1_000)} s`;
  if (ms < 7_200_000) return `${Math.ceil(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function windowName(windowMs: number): string {
  return windowMs % 3_600_000 === 0 ? `${windowMs / 3_600_000}h` : windowMs % 60_000 === 0 ? `${windowMs / 60_000}min` : `${windowMs / 1_000}s`;
}

/** One window of a budget, IP stats (`budget`) or hunting, its columns aligned whatever the label. */
function windowLine(label: string, window: LimiterStatus['windows'][number]): string {
  const room = window.remaining > 0 ? 'room now' : `room in ${duration(window.freeInMs)}`;
  return `  ${label} ${String(window.max).padStart(11 - label.length)}/${windowName(window.windowMs).padEnd(6)} used ${String(window.used).padStart(5)}  remaining ${String(window.remaining).padStart(5)}  ${room}`;
}

/**
 * One line per sink of the tenant, under its `sinks` line: its configured sinks in order (those
 * without a recorded delivery say so), then any other it has delivered to (`callback`).
 */
function sinkHealthLines(tenant: StatusReport['tenants'][number]): string[] {
  const names = [...new Set([...tenant.sinks, ...Object.keys(tenant.sinkHealth)])];
  return names.map((sink) => {
    const health = tenant.sinkHealth[sink];
    const label = `    ${shown(sink).padEnd(9)}`;
    if (health === undefined) return `${label} no delivery recorded yet`;
    const state = health.failuresSinceSuccess > 0 ? `FAILING (${health.failuresSinceSuccess} since last success): ${shown(health.lastError ?? '')}` : health.lastNotes.length > 0 ? `ok; last note (${health.lastNotesAt ?? '?'}): ${health.lastNotes.map(shown).join('; ')}` : 'ok';
    return `${label} ${state}  last success ${health.lastSuccessAt ?? 'never'}`;
  });
}

/** The terminal view of `ipenrich status`. */
export function renderStatus(report: StatusReport): string {
  const q = report.queue;
  const lines = [
    `ipenrich status at ${report.at}`,
    '',
    `Queue  waiting ${(q.waiting ?? 0) + (q.prioritized ?? 0)}  active ${q.active ?? 0}  delayed ${q.delayed ?? 0}  completed ${q.completed ?? 0}  failed (DLQ) ${q.failed ?? 0}`,
    `       backlog needs the API budget for about ${duration(report.backlogEtaMs)} (one new lookup per queued alert)`,
  ];
  for (const tenant of report.tenants) {
    lines.push('', `Tenant ${shown(tenant.tenant)}`);
    // Figures of a shared budget are the same under each tenant that spends it: say so, or they look doubled.
    if (tenant.budgetSharedWith.length > 0) lines.push(`  budget shared with ${tenant.budgetSharedWith.map(shown).join(', ')} (one Defender credential scope, MDE_BUDGET_SCOPE): the figures below are theirs too`);
    for (const window of tenant.budget.windows) lines.push(windowLine('budget', window));
    lines.push(`  next call ${duration(tenant.budget.nextFreeInMs)}${tenant.budget.cooldownMs > 0 ? `  (429 cooldown ${duration(tenant.budget.cooldownMs)})` : ''}  admitted in total ${tenant.budget.admittedTotal}`);
    const limit = tenant.pending.limit > 0 ? `limit ${tenant.pending.limit}` : 'no limit';
    lines.push(`  pending  ${tenant.pending.alerts} alerts (${limit}, TENANT_MAX_PENDING_ALERTS)`);
    if (tenant.huntingBudget) {
      const hunting = tenant.huntingBudget;
      for (const window of hunting.windows) lines.push(windowLine('hunting', window));
      if (hunting.cooldownMs > 0) lines.push(`  hunting paused ${duration(hunting.cooldownMs)} (429: calls or CPU quota)`);
    }
    const { ipstats, hunting } = tenant.sources;
    const perCall = hunting.calls === 0 ? '' : `, ${(hunting.ips / hunting.calls).toFixed(0)} IPs per query`;
    lines.push(`  source ${tenant.source}: IP stats ${ipstats.calls} calls (${ipstats.throttled} × 429); hunting ${hunting.calls} queries for ${hunting.ips} IPs${perCall} (${hunting.throttled} × 429)`);
    const ratio = tenant.cache.hitRatio === null ? 'no lookups yet' : `hit ratio ${(tenant.cache.hitRatio * 100).toFixed(1)}% (${tenant.cache.hits} hits, ${tenant.cache.misses} misses)`;
    lines.push(`  cache  ${tenant.cache.entries} entries, ${ratio}`);
    if (tenant.refreshes) lines.push(`  refresh-ahead  ${tenant.refreshes.refreshed} entries refreshed with spare budget, ${tenant.refreshes.noBudget} times none was spare`);
    lines.push(`  sinks  ${tenant.sinks.length > 0 ? tenant.sinks.map(shown).join(', ') : 'none (SINKS)'}`);
    lines.push(...sinkHealthLines(tenant));
  }
  const all = report.tenants.length > 1 ? '  (all tenants; per tenant above)' : '';
  lines.push('', `Sinks  ${report.sinks.configured.length > 0 ? report.sinks.configured.map(shown).join(', ') : 'none configured (SINKS)'}${all}`);
  if (report.sinks.disabledEndpoints > 0) {
    lines.push(`  ${report.sinks.disabledEndpoints} webhook endpoint(s) disabled after 410 Gone; none gets deliveries until \`ipenrich webhook-enable URL\`:`);
    for (const note of report.sinks.disabled) lines.push(`    ${shown(note.endpoint)}${note.at ? ` (${note.status} at ${shown(note.at)})` : ''}`);
  }
  return lines.join('\n');
}
