/**
 * Benchmark `fairness`: tenant B's enqueue → delivered latency while tenant A has a backlog of
 * alerts with new IPs (which exhausts A's Defender budget, so A's jobs are deferred again and
 * again), over B alone, in one run: with fair-share priority (the product) and, as the baseline,
 * with severity-only priority (the order before it).
 *
 *   npm run bench -- fairness [--smoke] [--write]
 *
 * Goal: B's p99 with A's backlog / B's p99 alone ≤ 1.2.
 */
import { availableParallelism } from 'node:os';
import { loadConfig } from '../../src/config/load.js';
import type { BenchOptions, Benchmark } from '../run.js';
import { measureOnLocalRedis, type RunContext } from '../with-local-redis.js';
import { percentile } from '../budget/figures.js';
import { measureFairness, RATE_LIMITS, type Delivery, type FairnessParams, type FairnessReport, type Order, type OrderRun, type PhaseFigures } from './scenario.js';

type Params = Omit<FairnessParams, 'redisUrl'>;

/**
 * The Compose deployment's defaults (docker-compose.yml: 2 worker replicas; WORKER_CONCURRENCY 8), one
 * worker process per core here. 200 of B's alerts per phase and three fair-share runs, pooled: one
 * run's p99 was its third slowest alert, and single runs on this machine ranged from 1.1× to 2.2×.
 */
const FULL: Params = { workers: 2, concurrency: 8, backlog: 10_000, trickle: 200, intervalMs: 150, drainMs: 30_000, repetitions: 3 };
const SMOKE: Params = { workers: 2, concurrency: 4, backlog: 500, trickle: 8, intervalMs: 200, drainMs: 3_000, repetitions: 1 };

const LABELS: Record<Order, string> = { 'fair-share': 'fair share (product)', severity: 'severity only (baseline, before)' };

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)}` : 'n/a');
/** The k-th percentile of the alerts' enqueue → delivered times. */
const latency = (deliveries: readonly Delivery[], k: number): number => percentile(deliveries.map((delivery) => delivery.latencyMs), k);
const p99 = (phase: PhaseFigures): number => latency(phase.deliveries, 99);
/** Undelivered alerts count with the time until the drain ended: then the figures are lower bounds. */
const ratio = (run: OrderRun): number => p99(run.flood) / p99(run.alone);
const bound = (phase: PhaseFigures): string => (phase.undelivered > 0 ? '≥ ' : '');
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** An order's runs as one: B's alerts of every run together, phase by phase. */
function pooled(runs: readonly OrderRun[]): OrderRun {
  const phase = (name: keyof OrderRun): PhaseFigures => ({
    deliveries: runs.flatMap((run) => run[name].deliveries),
    undelivered: sum(runs.map((run) => run[name].undelivered)),
    backlogQueueMs: sum(runs.map((run) => run[name].backlogQueueMs)) / runs.length,
  });
  return { alone: phase('alone'), flood: phase('flood') };
}

function row(runs: readonly OrderRun[], order: Order, trickle: number): string {
  const { alone, flood } = pooled(runs);
  const cells = [
    LABELS[order],
    ms(latency(alone.deliveries, 50)),
    ms(p99(alone)),
    `${bound(flood)}${ms(latency(flood.deliveries, 50))}`,
    `${bound(flood)}${ms(p99(flood))}`,
    `${bound(flood)}${ratio({ alone, flood }).toFixed(2)}`,
    `${bound(flood)}${ms(percentile(flood.deliveries.map((delivery) => delivery.slotWaitMs), 99))}`,
    `${2 * trickle * runs.length - alone.undelivered - flood.undelivered} / ${2 * trickle * runs.length}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

function formatReport(report: FairnessReport, params: Params, context: RunContext): string {
  const fairRuns = report['fair-share'];
  const fair = ratio(pooled(fairRuns));
  const severity = pooled(report.severity);
  const worst = Math.max(...(['fair-share', 'severity'] as const).flatMap((order) => report[order]).flatMap((run) => [run.alone, run.flood]).map((phase) => phase.undelivered));
  const pooledAlerts = params.trickle * fairRuns.length;
  return `## Fair share across tenants (\`fairness\`)

Command: \`npm run bench -- fairness --write\`${context.smoke ? ' (smoke run)' : ''}. Node ${process.version}, ${availableParallelism()} cores shared with other work
(load average ${context.loadStart.toFixed(1)} at the start, ${context.loadEnd.toFixed(1)} at the end). One redis-server started by the benchmark, the
emulators (Defender with scaled windows \`MDE_RATE_LIMITS=${RATE_LIMITS}\`, per tenant), a Standard Webhooks receiver, and
${params.workers} worker processes (\`startWorker\`, WORKER_CONCURRENCY=${params.concurrency}, WORKER_BUDGET_WAIT_CONCURRENCY at its default of ${loadConfig({}).WORKER_BUDGET_WAIT_CONCURRENCY}) per run, each run on its own prefix (fresh queue,
budget and cache): ${fairRuns.length === 1 ? 'one run' : `${fairRuns.length} runs`} with fair share, one with severity order; tenants \`a\` and \`b\` in \`IPENRICH_CONFIG\`, each with an Entra tenant and app of its own (so
Defender, like the limiter, counts a budget per tenant). In each phase tenant B sends ${params.trickle} alerts, one every ${params.intervalMs} ms,
each with a new IP (within B's own budget), after five unmeasured alerts of each tenant have warmed the workers up:

- **alone**: B's alerts only.
- **with A's backlog**: ${params.backlog.toLocaleString('en-US')} alerts of tenant A, each with a new IP, queued (queue paused) before B's first; A's budget
  runs out within seconds, so every A alert is looked at once, then waits in *delayed* for its IP's wake-up slot
  (one per sustained-rate slot of A's budget) — holding no worker slot while B's alerts want one.

Latency is B's enqueue → delivered: BullMQ's \`timestamp\` when the job was added to its \`finishedOn\`, which is set
once the webhook receiver accepted the result. B's alerts still undelivered ${params.drainMs / 1000} s after the last one count with
the time until then (the figures are then lower bounds, marked ≥).

| priority | B alone p50 ms | B alone p99 ms | B with A's backlog p50 ms | B with A's backlog p99 ms | p99 ratio | B's wait for a slot, p99 ms | B delivered |
|---|---:|---:|---:|---:|---:|---:|---:|
${row(fairRuns, 'fair-share', params.trickle)}
${row(report.severity, 'severity', params.trickle)}

**Headline: with A's ${params.backlog.toLocaleString('en-US')}-alert backlog, B's p99 is ${fair.toFixed(2)}× B's p99 alone with fair share (goal ≤ 1.2), against
${bound(severity.flood)}${ratio(severity).toFixed(2)}× with severity-only priority.** Queueing A's backlog took ${(pooled(fairRuns).flood.backlogQueueMs / 1000).toFixed(1)} s with fair share
(one rank script per alert before \`addBulk\`) and ${(severity.flood.backlogQueueMs / 1000).toFixed(1)} s without. ${worst > 0 ? `Most undelivered in one phase: ${worst}.` : 'Every alert of B was delivered.'}
The fair-share figures pool B's alerts of the ${fairRuns.length} run(s): ${pooledAlerts} per phase, whose p99 is the ${slowest(pooledAlerts)} (nearest rank).
Each run's own ratio (its p99 the ${slowest(params.trickle)} of ${params.trickle}): ${fairRuns.map((run) => `${bound(run.flood)}${ratio(run).toFixed(2)}`).join(', ')}.
${firstPass(fairRuns)}
Wall time ${context.wallSeconds.toFixed(1)} s.
`;
}

/** Which of `count` latencies their p99 (nearest rank) is, counted from the slowest. */
function slowest(count: number): string {
  const fromTop = count - Math.ceil(0.99 * count) + 1;
  return fromTop === 1 ? 'slowest' : `${['', '', 'second', 'third', 'fourth'][fromTop] ?? `${fromTop}th`} slowest`;
}

/** B's fair-share figures split at the end of A's first pass: while workers were still taking A's alerts for their first look, and after. */
function firstPass(runs: readonly OrderRun[]): string {
  const passes = runs.map(({ flood }) => {
    const ended = flood.firstPassEndedAt;
    const started = Math.min(...flood.deliveries.map((delivery) => delivery.queuedAt));
    return { ended, lastedMs: ended === undefined ? undefined : ended - started, deliveries: flood.deliveries };
  });
  const unfinished = passes.filter((pass) => pass.ended === undefined).length;
  if (unfinished > 0) return `A's first pass had not ended when B's last alert was queued, in ${unfinished} of ${runs.length} run(s).`;
  const during = passes.flatMap((pass) => pass.deliveries.filter((delivery) => delivery.queuedAt < (pass.ended ?? 0)));
  const after = passes.flatMap((pass) => pass.deliveries.filter((delivery) => delivery.queuedAt >= (pass.ended ?? 0)));
  const alone = pooled(runs).alone;
  const figures = (deliveries: readonly Delivery[]): string =>
    `${deliveries.length} alerts, p50 ${ms(latency(deliveries, 50))} ms, p99 ${ms(latency(deliveries, 99))} ms (${(latency(deliveries, 99) / p99(alone)).toFixed(2)}× alone)`;
  const lasted = passes.map((pass) => ((pass.lastedMs ?? 0) / 1000).toFixed(1)).join(', ');
  return `With fair share, A's first pass (every A alert taken once by a worker) ended ${lasted} s after B's first alert.
B's alerts queued during it: ${figures(during)}; after it: ${figures(after)}.`;
}

export const run: Benchmark = async (options: BenchOptions) => {
  const params = options.smoke ? SMOKE : FULL;
  const { report, context } = await measureOnLocalRedis(options.smoke, (redisUrl) => measureFairness({ ...params, redisUrl }));
  return formatReport(report, params, context);
};
