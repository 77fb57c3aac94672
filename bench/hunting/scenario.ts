import { startEmulators } from '../../src/emulators/emulators.js';
import { spawnChild } from '../../test/integration/budget/support/child-process.js';
import type { HourPlan } from './tenant-hour.js';

/** One scaled hour of a noisy tenant: port-scan alerts full of new IPs among small alerts. */
export interface HuntingScenario {
  readonly source: 'ipstats' | 'auto';
  readonly redisUrl: string;
  readonly prefix: string;
  /** Wall milliseconds that stand for one hour: every window and the CPU cycle are scaled by it. */
  readonly hourMs: number;
  /** Microsoft's limits per minute and hour are divided by this (the offered load is divided alike). */
  readonly countDivisor: number;
  /** Per scaled hour. */
  readonly scanAlerts: number;
  readonly ipsPerScan: number;
  readonly smallAlerts: number;
  readonly ipsPerSmall: number;
  /** How long an alert may wait for budget before its misses are deferred (WORKER_BUDGET_WAIT_MS). */
  readonly budgetWaitMs: number;
}

export interface HuntingReport {
  readonly offeredIps: number;
  /** Distinct new IPs a source answered within the hour (deferred ones asked again at their time). */
  readonly enriched: number;
  readonly bySource: Record<string, number>;
  readonly failures: Record<string, number>;
  readonly ipstatsCalls: number;
  readonly huntingCalls: number;
  readonly ipsPerHuntingCall: number;
  readonly throttled: number;
  readonly rateLimits: string;
  readonly huntingLimits: string;
}

const ms = (value: number): string => `${Math.max(1, Math.round(value))}ms`;

/**
 * One tenant's scaled hour in a child process (production composition: Defender and Graph clients
 * with Entra emulator tokens, shared limiter, cache and coalescing in Redis) against emulators that
 * enforce the same scaled windows as the limiter.
 */
export async function runHuntingScenario(scenario: HuntingScenario): Promise<HuntingReport> {
  const { hourMs, countDivisor } = scenario;
  const minuteMs = hourMs / 60;
  // Defender: 100/min and 1,500/h; Graph: 45/min (contracts.md §0); all divided alike.
  const rateLimits = `${Math.max(1, Math.floor(100 / countDivisor))}/${ms(minuteMs)},${Math.max(1, Math.floor(1500 / countDivisor))}/${ms(hourMs)}`;
  const huntingLimits = `${Math.max(1, Math.floor(45 / countDivisor))}/${ms(minuteMs)}`;
  const emulators = await startEmulators({ defender: { rateLimits }, graph: { rateLimits: huntingLimits, cpuCycleMs: Math.round(hourMs / 4) } });
  try {
    const arrivals = [
      ...Array.from({ length: scenario.scanAlerts }, (_, i) => ({ at: ((i + 0.5) / scenario.scanAlerts) * hourMs, size: scenario.ipsPerScan })),
      ...Array.from({ length: scenario.smallAlerts }, (_, i) => ({ at: (i / scenario.smallAlerts) * hourMs, size: scenario.ipsPerSmall })),
    ].sort((a, b) => a.at - b.at);
    const plan: HourPlan = { hourMs, budgetWaitMs: scenario.budgetWaitMs, arrivals };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...emulators.env,
      REDIS_URL: scenario.redisUrl,
      IPENRICH_PREFIX: scenario.prefix,
      MDE_SOURCE: scenario.source,
      MDE_RATE_LIMITS: rateLimits,
      GRAPH_HUNTING_LIMITS: huntingLimits,
      GRAPH_HUNTING_CPU_CYCLE_S: String(Math.max(1, Math.round(hourMs / 4 / 1000))),
      MDE_RATE_SAFETY_MS: '20',
      LOG_LEVEL: 'silent',
    };
    delete env.IPENRICH_CONFIG;
    const child = spawnChild(new URL('./tenant-hour.ts', import.meta.url), [JSON.stringify(plan)], env);
    const done = await child.next<{ answered: Record<string, string>; failures: Record<string, number>; offered: number }>('done');
    await child.exited;
    const bySource: Record<string, number> = {};
    for (const source of Object.values(done.answered)) bySource[source] = (bySource[source] ?? 0) + 1;
    const { graph, defender } = emulators;
    const huntingIps = graph.counters.ipsPerCall.reduce((sum, n) => sum + n, 0);
    return {
      offeredIps: done.offered,
      enriched: Object.keys(done.answered).length,
      bySource,
      failures: done.failures,
      ipstatsCalls: defender.counters.totalCalls,
      huntingCalls: graph.counters.totalCalls,
      ipsPerHuntingCall: graph.counters.servedCalls === 0 ? 0 : huntingIps / graph.counters.servedCalls,
      throttled: defender.counters.throttled + graph.counters.throttledCalls + graph.counters.throttledCpu,
      rateLimits,
      huntingLimits,
    };
  } finally {
    await emulators.close();
  }
}
