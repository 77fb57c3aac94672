import { maxAdmissions, withMargin } from './sliding-windows.js';
import type { WorkerPlan, WorkerReport } from './worker.js';
import { parseRateLimits, type RateWindow } from '../../src/enrich/rate-windows.js';
import { startEmulators } from '../../src/emulators/emulators.js';
import { spawnChild } from '../../test/integration/budget/support/child-process.js';

export interface BudgetScenario {
  readonly mode: WorkerPlan['mode'];
  readonly redisUrl: string;
  readonly prefix: string;
  readonly processes: number;
  readonly concurrency: number;
  /** Enforced alike by the limiter (MDE_RATE_LIMITS) and by the Defender emulator. */
  readonly rateLimits: string;
  readonly safetyMs: number;
  readonly durationMs: number;
  /** New jobs per second, per process. */
  readonly arrivalsPerSecond: number;
  readonly universe: number;
  readonly zipfExponent: number;
  readonly jobDeadlineMs: number;
  readonly seed: number;
}

export interface BudgetReport {
  readonly windows: readonly RateWindow[];
  /** Requests the Defender emulator received, and how many it answered 429. */
  readonly apiCalls: number;
  readonly throttled: number;
  readonly distinctKeys: number;
  readonly maxCallsPerKey: number;
  /** Calls the windows allowed between the first call and the end of the run (greedy caller). */
  readonly allowedCalls: number;
  /** The same, for the windows widened by the safety margin: what the limiter itself can reach. */
  readonly allowedWithMargin: number;
  readonly jobs: number;
  readonly completed: Record<string, number>;
  readonly deferrals: number;
  readonly backlogAtEnd: number;
  readonly cachedWhileExhaustedMs: readonly number[];
}

/**
 * Several worker processes enrich Zipf streams against the Defender emulator under one shared
 * budget; returns what the emulator saw and what the workers measured.
 */
export async function runBudgetScenario(scenario: BudgetScenario): Promise<BudgetReport> {
  const windows = parseRateLimits(scenario.rateLimits);
  if (typeof windows === 'string') throw new Error(`rateLimits: ${windows}`);
  const emulators = await startEmulators({ defender: { rateLimits: windows, seed: String(scenario.seed) } });
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...emulators.env,
      REDIS_URL: scenario.redisUrl,
      IPENRICH_PREFIX: scenario.prefix,
      MDE_RATE_LIMITS: scenario.rateLimits,
      MDE_RATE_SAFETY_MS: String(scenario.safetyMs),
      LOG_LEVEL: 'silent',
    };
    delete env.IPENRICH_CONFIG;
    const workers = Array.from({ length: scenario.processes }, (_, i) => {
      const plan: WorkerPlan = {
        mode: scenario.mode,
        concurrency: scenario.concurrency,
        arrivalsPerSecond: scenario.arrivalsPerSecond,
        universe: scenario.universe,
        zipfExponent: scenario.zipfExponent,
        seed: scenario.seed * 1_000 + i,
        jobDeadlineMs: scenario.jobDeadlineMs,
      };
      return spawnChild(new URL('./worker.ts', import.meta.url), [JSON.stringify(plan)], env);
    });
    await Promise.all(workers.map((worker) => worker.next('ready')));
    const startAt = Date.now() + 100;
    const stopAt = startAt + scenario.durationMs;
    for (const worker of workers) worker.send({ startAt, stopAt });
    const reports = await Promise.all(workers.map((worker) => worker.next<WorkerReport>('done')));
    await Promise.all(workers.map((worker) => worker.exited));

    const counters = emulators.defender.counters;
    const callTimes = reports.flatMap((r) => r.calls.map((call) => call.at));
    const first = Math.min(...callTimes);
    const end = Math.max(stopAt, ...callTimes);
    const completed: Record<string, number> = {};
    for (const report of reports) {
      for (const [status, count] of Object.entries(report.completed)) completed[status] = (completed[status] ?? 0) + count;
    }
    return {
      windows,
      apiCalls: counters.totalCalls,
      throttled: counters.throttled,
      distinctKeys: Object.keys(counters.callsPerIp).length,
      maxCallsPerKey: Math.max(0, ...Object.values(counters.callsPerIp)),
      allowedCalls: callTimes.length === 0 ? 0 : maxAdmissions(windows, first, end),
      allowedWithMargin: callTimes.length === 0 ? 0 : maxAdmissions(withMargin(windows, scenario.safetyMs), first, end),
      jobs: reports.reduce((sum, r) => sum + r.jobs, 0),
      completed,
      deferrals: reports.reduce((sum, r) => sum + r.deferrals, 0),
      backlogAtEnd: reports.reduce((sum, r) => sum + r.backlog, 0),
      cachedWhileExhaustedMs: reports.flatMap((r) => r.cachedWhileExhaustedMs),
    };
  } finally {
    await emulators.close();
  }
}
