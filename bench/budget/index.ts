/**
 * Benchmark `budget`: several worker processes share one Defender budget (limiter, cache,
 * coalescing) against the Defender emulator enforcing the same sliding windows; the full run then
 * repeats the same stream with the common per-process approach as the baseline.
 *
 *   npm run bench -- budget [--smoke] [--write]
 *
 * Targets: calls/distinct keys 1.00, zero 429s, budget utilization ≥ 0.95 while a backlog exists,
 * and cached lookups fast while the budget is exhausted.
 */
import { availableParallelism, loadavg } from 'node:os';
import { formatRateLimits } from '../../src/enrich/rate-windows.js';
import { startLocalRedis } from '../../src/redis/local-server.js';
import type { BenchOptions, Benchmark } from '../run.js';
import { fixed, percentile } from './figures.js';
import { runBudgetScenario, type BudgetReport, type BudgetScenario } from './scenario.js';

type Params = Omit<BudgetScenario, 'redisUrl' | 'prefix' | 'mode'>;

const FULL: Params = {
  processes: 4,
  concurrency: 8,
  rateLimits: '20/1s,100/10s',
  safetyMs: 100,
  durationMs: 40_000,
  arrivalsPerSecond: 25,
  universe: 50_000,
  zipfExponent: 1,
  jobDeadlineMs: 250,
  seed: 1,
};

const SMOKE: Params = {
  ...FULL,
  processes: 2,
  concurrency: 4,
  rateLimits: '10/500ms,30/2s',
  safetyMs: 50,
  durationMs: 5_000,
  arrivalsPerSecond: 20,
  universe: 5_000,
};

const perKey = (report: BudgetReport): string => fixed(report.apiCalls / Math.max(1, report.distinctKeys));
const done = (report: BudgetReport): number => (report.completed.enriched ?? 0) + (report.completed.not_seen ?? 0);

function mainTable(report: BudgetReport, params: Params): string {
  const cached = report.cachedWhileExhaustedMs;
  const rows: [string, string, string][] = [
    ['API calls (emulator)', String(report.apiCalls), ''],
    ['distinct keys called', String(report.distinctKeys), ''],
    ['calls / distinct keys', perKey(report), '1.00'],
    ['most calls for one key', String(report.maxCallsPerKey), '1'],
    ['429 answers', String(report.throttled), '0'],
    ['calls the windows allowed (first call → end)', String(report.allowedCalls), ''],
    ['budget utilization = calls / allowed', fixed(report.apiCalls / report.allowedCalls), '≥ 0.95'],
    [`limiter efficiency = calls / allowed with the ${params.safetyMs} ms margin`, fixed(report.apiCalls / report.allowedWithMargin), ''],
    ['backlog at the end (jobs waiting for budget)', String(report.backlogAtEnd), '> 0'],
    [`cached lookups while the budget was exhausted (n=${cached.length}): p50 ms`, fixed(percentile(cached, 50)), ''],
    ['… p99 ms', fixed(percentile(cached, 99)), ''],
    ['jobs (answered / deferrals)', `${report.jobs} (${done(report)} / ${report.deferrals})`, ''],
  ];
  return rows.map(([name, value, target]) => `| ${name} | ${value} | ${target} |`).join('\n');
}

function comparison(shared: BudgetReport, baseline: BudgetReport): string {
  const rows: [string, string, string][] = [
    ['API calls', String(shared.apiCalls), String(baseline.apiCalls)],
    ['429 answers', String(shared.throttled), String(baseline.throttled)],
    ['calls / distinct keys', perKey(shared), perKey(baseline)],
    ['most calls for one key', String(shared.maxCallsPerKey), String(baseline.maxCallsPerKey)],
    ['calls answered with data / allowed', fixed((shared.apiCalls - shared.throttled) / shared.allowedCalls), fixed((baseline.apiCalls - baseline.throttled) / baseline.allowedCalls)],
    ['jobs answered', String(done(shared)), String(done(baseline))],
  ];
  return `| measure | ipenrich (shared budget) | per-process baseline |\n|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`;
}

export const run: Benchmark = async (options: BenchOptions) => {
  const params = options.smoke ? SMOKE : FULL;
  const load = loadavg()[0] ?? 0;
  const redis = await startLocalRedis();
  try {
    const started = Date.now();
    const shared = await runBudgetScenario({ ...params, mode: 'shared', redisUrl: redis.url, prefix: 'bench-budget' });
    const wallSeconds = (Date.now() - started) / 1000;
    const baseline = options.smoke ? undefined : await runBudgetScenario({ ...params, mode: 'per-process', redisUrl: redis.url, prefix: 'bench-budget-baseline' });
    const longest = Math.max(...shared.windows.map((w) => w.windowMs));
    return `## Shared API budget (\`budget\`)

Command: \`npm run bench -- budget --write\`${options.smoke ? ' (smoke run)' : ''}. Node ${process.version}, ${availableParallelism()} cores, load average
${fixed(load, 1)} at the start. ${params.processes} worker processes × concurrency ${params.concurrency}, each enriching ${params.arrivalsPerSecond} new jobs/s (one IP each)
drawn from a Zipf(${params.zipfExponent}) distribution over ${params.universe} IPs, for ${params.durationMs / 1000} s (${fixed(params.durationMs / longest, 1)} long windows); limits
\`${formatRateLimits(shared.windows)}\` enforced by the limiter (safety margin ${params.safetyMs} ms) and, as sliding windows, by the Defender
emulator; real Defender client with Entra emulator tokens, one redis-server. A job that cannot get
budget within ${params.jobDeadlineMs} ms is deferred to its \`retryAt\`, as the queue worker does. "Allowed" is the greedy
maximum of the windows (no margin) from the first call to the end of the run; each burst starts one
margin (plus the previous burst's response time) after a perfect caller's, so a run cut just as a
burst is due reads up to one short window's max lower. Wall time ${fixed(wallSeconds, 1)} s.

| measure | value | target |
|---|---|---|
${mainTable(shared, params)}
${
  baseline
    ? `
Baseline, same stream and emulator, run right after: each process enforces every window itself (in
memory), caches in memory, does not coalesce, and honours a 429's Retry-After only itself.

${comparison(shared, baseline)}
`
    : ''
}`;
  } finally {
    await redis.stop();
  }
};
