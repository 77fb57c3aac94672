/**
 * One worker process of the budget benchmark: `concurrency` slots enrich a Zipf stream of IPs
 * through the real enricher (or the per-process baseline) and the real Defender client (against the
 * emulators), deferring a job to its `retryAt` as the queue worker does. Configuration comes from the environment (as for
 * `ipenrich worker`); the stream from argv[2] (JSON). Talks to the parent in JSON lines.
 */
import { loadConfig } from '../../src/config/load.js';
import { createEnricherFromConfig } from '../../src/composition/enricher-from-config.js';
import type { IpEnrichment } from '../../src/enrich/enricher.js';
import { createRedis } from '../../src/redis/connection.js';
import { hear, tell } from '../../test/integration/budget/support/child-process.js';
import { createPerProcessEnricher } from './per-process-enricher.js';
import { createRecordingDefender } from './recording-defender.js';
import { ipForRank, zipfSampler } from './zipf.js';

export interface WorkerPlan {
  /** `shared`: ipenrich's enricher; `per-process`: the baseline (per-process-enricher.ts). */
  readonly mode: 'shared' | 'per-process';
  readonly concurrency: number;
  readonly arrivalsPerSecond: number;
  readonly universe: number;
  readonly zipfExponent: number;
  readonly seed: number;
  /** How long one enrich may wait for budget before the job is deferred. */
  readonly jobDeadlineMs: number;
}

export interface WorkerReport {
  /** Each Defender call this process made: IP and local start time (epoch ms). */
  readonly calls: { ip: string; at: number }[];
  readonly jobs: number;
  readonly completed: Record<string, number>;
  readonly deferrals: number;
  /** Latency (ms) of fully cached enrich calls made while this process knew the budget was exhausted. */
  readonly cachedWhileExhaustedMs: number[];
  /** Jobs still waiting (ready or deferred) at the stop: the backlog. */
  readonly backlog: number;
}

interface Job {
  readonly ip: string;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as WorkerPlan;
const config = loadConfig(process.env);
const configured = config.tenants[config.IPENRICH_DEFAULT_TENANT];
if (!configured) throw new Error('no default tenant configured');
const tenant = configured;

const redis = createRedis(config.REDIS_URL);
const defender = await createRecordingDefender(config, tenant);
const { calls, client: recording } = defender;
const enricher = createEnricherFromConfig(config, redis, () => recording);
const perProcess = createPerProcessEnricher({ client: recording, windows: config.MDE_RATE_LIMITS, lookBackHours: tenant.MDE_LOOKBACK_HOURS });
async function enrichOne(ip: string, deadline: number): Promise<IpEnrichment | undefined> {
  if (plan.mode === 'per-process') return perProcess(ip, deadline);
  const [result] = await enricher.enrich(tenant.name, [ip], { lookBackHours: tenant.MDE_LOOKBACK_HOURS, deadline });
  return result;
}
await redis.ping();
tell('ready');

const { startAt, stopAt } = await hear<{ startAt: number; stopAt: number }>();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));

const sample = zipfSampler(plan.universe, plan.zipfExponent, plan.seed);
const ready: Job[] = [];
const delayed = new Set<NodeJS.Timeout>();
const idle: (() => void)[] = [];
const completed: Record<string, number> = {};
const cachedWhileExhaustedMs: number[] = [];
let jobs = 0;
let deferrals = 0;
let exhaustedUntil = 0;
let stopped = false;

function wakeOne(): void {
  idle.shift()?.();
}

// Arrivals at a steady rate, counted from the start so timer drift does not change the rate.
const arrivals = setInterval(() => {
  const due = Math.floor(((Date.now() - startAt) / 1000) * plan.arrivalsPerSecond);
  for (; jobs < due; jobs += 1) {
    ready.push({ ip: ipForRank(sample()) });
    wakeOne();
  }
}, 20);
const stopTimer = setTimeout(() => {
  stopped = true;
  clearInterval(arrivals);
  for (const wake of idle.splice(0)) wake();
}, stopAt - Date.now());

async function slot(): Promise<void> {
  while (!stopped) {
    const job = ready.shift();
    if (!job) {
      await new Promise<void>((resolve) => idle.push(resolve));
      continue;
    }
    const startedWall = Date.now();
    const started = performance.now();
    const result = await enrichOne(job.ip, startedWall + plan.jobDeadlineMs);
    const latency = performance.now() - started;
    if (!result) continue;
    if (result.cached && startedWall < exhaustedUntil) cachedWhileExhaustedMs.push(latency);
    if (result.status !== 'deferred') {
      completed[result.status] = (completed[result.status] ?? 0) + 1;
      continue;
    }
    deferrals += 1;
    const retryAt = result.retryAt ?? Date.now();
    exhaustedUntil = Math.max(exhaustedUntil, retryAt);
    // Deferred jobs come back first when their time comes, as delayed jobs do in the queue.
    const timer = setTimeout(() => {
      delayed.delete(timer);
      ready.unshift(job);
      wakeOne();
    }, retryAt - Date.now());
    delayed.add(timer);
  }
}

await Promise.all(Array.from({ length: plan.concurrency }, slot));
clearTimeout(stopTimer);
for (const timer of delayed) clearTimeout(timer);
const report: WorkerReport = { calls, jobs, completed, deferrals, cachedWhileExhaustedMs, backlog: ready.length + delayed.size };
tell('done', { ...report });
await enricher.close();
await defender.close();
await redis.quit();
