import { maxAdmissions } from '../budget/sliding-windows.js';
import { parseRateLimits, type RateWindow } from '../../src/enrich/rate-windows.js';
import { startEmulators, type Emulators } from '../../src/emulators/emulators.js';
import { spawnChild } from '../../test/integration/budget/support/child-process.js';
import type { DayStreamPlan } from './day-stream.js';
import type { PolicyReport, WorkerPlan } from './worker.js';

/** A cache policy as settings: today's (no stale answers), serve-stale, serve-stale + refresh-ahead. */
interface Policy {
  readonly name: string;
  readonly settings: Readonly<Record<string, string>>;
}

export interface PolicyScenario {
  readonly redisUrl: string;
  readonly stream: DayStreamPlan;
  readonly policies: readonly Policy[];
  readonly processes: number;
  readonly concurrency: number;
  /** Enforced alike by the limiter and by each policy's Defender emulator. */
  readonly rateLimits: string;
  readonly safetyMs: number;
  /** Cache settings scaled to the simulated day (CACHE_TTL_*_S, CACHE_MAX_STALE_S), common to every policy. */
  readonly cacheSettings: Readonly<Record<string, string>>;
  readonly drainMs: number;
}

/** One policy's figures over the measured day, every process together. */
export interface PolicyResult {
  readonly name: string;
  readonly alerts: number;
  readonly seenBefore: number;
  readonly seenBeforeWithoutWaiting: number;
  readonly withoutWaiting: number;
  readonly timeToResultMs: number[];
  readonly ageMs: number[];
  readonly stale: number;
  readonly unanswered: number;
  /** Requests the policy's Defender emulator received over the whole run, and its 429s. */
  readonly apiCalls: number;
  readonly throttled: number;
  /** The most calls the windows allow between the run's first call and its end. */
  readonly allowedCalls: number;
  readonly refreshes: Record<string, number>;
  readonly statuses: Record<string, number>;
}

function merge(name: string, reports: readonly PolicyReport[], emulators: Emulators, windows: readonly RateWindow[], end: number): PolicyResult {
  const seenBefore = reports.flatMap((r) => r.seenBefore);
  const withoutWaiting = reports.flatMap((r) => r.withoutWaiting);
  const callTimes = reports.flatMap((r) => r.callTimes);
  const sum = (records: readonly Record<string, number>[]): Record<string, number> => {
    const total: Record<string, number> = {};
    for (const record of records) for (const [key, count] of Object.entries(record)) total[key] = (total[key] ?? 0) + count;
    return total;
  };
  return {
    name,
    alerts: seenBefore.length,
    seenBefore: seenBefore.filter(Boolean).length,
    seenBeforeWithoutWaiting: seenBefore.filter((seen, i) => seen && withoutWaiting[i]).length,
    withoutWaiting: withoutWaiting.filter(Boolean).length,
    timeToResultMs: reports.flatMap((r) => r.timeToResultMs),
    ageMs: reports.flatMap((r) => r.ageMs),
    stale: reports.reduce((total, r) => total + r.stale, 0),
    unanswered: reports.reduce((total, r) => total + r.unanswered, 0),
    apiCalls: emulators.defender.counters.totalCalls,
    throttled: emulators.defender.counters.throttled,
    allowedCalls: callTimes.length === 0 ? 0 : maxAdmissions(windows, Math.min(...callTimes), Math.max(end, ...callTimes)),
    refreshes: sum(reports.map((r) => r.refreshes)),
    statuses: sum(reports.map((r) => r.statuses)),
  };
}

/**
 * Every policy over the same simulated days at once, each with its own Redis prefix and Defender
 * emulator (same windows), in the same worker processes: the same stream, the same machine load.
 */
export async function runPolicyScenario(scenario: PolicyScenario): Promise<{ windows: readonly RateWindow[]; results: PolicyResult[] }> {
  const windows = parseRateLimits(scenario.rateLimits);
  if (typeof windows === 'string') throw new Error(`rateLimits: ${windows}`);
  const emulators = await Promise.all(scenario.policies.map(() => startEmulators({ defender: { rateLimits: windows } })));
  try {
    const policies = scenario.policies.map((policy, i) => ({
      name: policy.name,
      env: {
        ...emulators[i]?.env,
        IPENRICH_PREFIX: `bench-policy-${i}`,
        MDE_RATE_LIMITS: scenario.rateLimits,
        MDE_RATE_SAFETY_MS: String(scenario.safetyMs),
        ...scenario.cacheSettings,
        ...policy.settings,
      },
    }));
    const env: NodeJS.ProcessEnv = { ...process.env, ...emulators[0]?.env, REDIS_URL: scenario.redisUrl, LOG_LEVEL: 'silent' };
    delete env.IPENRICH_CONFIG;
    const workers = Array.from({ length: scenario.processes }, (_, processIndex) => {
      const plan: WorkerPlan = {
        stream: scenario.stream,
        policies,
        processIndex,
        processes: scenario.processes,
        concurrency: scenario.concurrency,
        measureFromMs: scenario.stream.dayMs * (scenario.stream.days - 1),
        drainMs: scenario.drainMs,
      };
      return spawnChild(new URL('./worker.ts', import.meta.url), [JSON.stringify(plan)], env);
    });
    await Promise.all(workers.map((worker) => worker.next('ready')));
    const startAt = Date.now() + 1_000;
    for (const worker of workers) worker.send({ startAt });
    const done = await Promise.all(workers.map((worker) => worker.next<{ reports: PolicyReport[] }>('done')));
    await Promise.all(workers.map((worker) => worker.exited));
    const end = Date.now();
    const results = scenario.policies.map((policy, i) => {
      const emulator = emulators[i];
      if (!emulator) throw new Error('one emulator per policy');
      return merge(policy.name, done.map((d) => d.reports[i]).filter((r): r is PolicyReport => r !== undefined), emulator, windows, end);
    });
    return { windows, results };
  } finally {
    await Promise.all(emulators.map((emulator) => emulator.close()));
  }
}
