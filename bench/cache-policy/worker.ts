/**
 * One worker process of the cache-policy benchmark. It runs every policy side by side, each on its own
 * prefix and Defender emulator, over this process's share of the same simulated days (every
 * `processes`-th alert), with `concurrency` slots per policy. A slot enriches one alert with a deadline
 * of now, as a worker with no budget wait: an IP the budget cannot serve at once is deferred to its
 * `retryAt` and tried again then. Plan in argv[2] (JSON); talks to the parent in JSON lines.
 */
import { loadConfig } from '../../src/config/load.js';
import { createEnricherFromConfig } from '../../src/composition/enricher-from-config.js';
import { startRefresherFromConfig } from '../../src/composition/refresh-from-config.js';
import { createRedis } from '../../src/redis/connection.js';
import { hear, tell } from '../../test/integration/budget/support/child-process.js';
import { createRecordingDefender } from '../budget/recording-defender.js';
import { dayStream, type DayStreamPlan, type StreamAlert } from './day-stream.js';

export interface PolicyPlan {
  readonly name: string;
  /** Settings of this policy (prefix, emulator, cache settings), over the process environment. */
  readonly env: Readonly<Record<string, string>>;
}

export interface WorkerPlan {
  readonly stream: DayStreamPlan;
  readonly policies: readonly PolicyPlan[];
  readonly processIndex: number;
  readonly processes: number;
  readonly concurrency: number;
  /** Alerts arriving from this wall ms of the run on are measured (the days before warm the cache). */
  readonly measureFromMs: number;
  /** After the last arrival, how long deferred alerts may still be answered. */
  readonly drainMs: number;
}

/** What one policy measured in this process, over the measured alerts. */
export interface PolicyReport {
  readonly name: string;
  readonly seenBefore: boolean[];
  /** Answered at the first try, without waiting for budget. */
  readonly withoutWaiting: boolean[];
  /** Arrival → answer, wall ms. */
  readonly timeToResultMs: number[];
  /** Answer time − when Defender gave the answer, wall ms (answers with data only). */
  readonly ageMs: number[];
  readonly stale: number;
  readonly statuses: Record<string, number>;
  /** Measured alerts not answered by the end of the drain. */
  readonly unanswered: number;
  /** Start time (epoch ms) of every Defender call this process made for the policy. */
  readonly callTimes: number[];
  readonly refreshes: Record<string, number>;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as WorkerPlan;
const mine = dayStream(plan.stream).filter((_, i) => i % plan.processes === plan.processIndex);

async function runPolicy(policy: PolicyPlan, startAt: number): Promise<PolicyReport> {
  const config = loadConfig({ ...process.env, ...policy.env });
  const tenant = config.tenants[config.IPENRICH_DEFAULT_TENANT];
  if (!tenant) throw new Error('no default tenant configured');
  const redis = createRedis(config.REDIS_URL);
  const defender = await createRecordingDefender(config, tenant);
  const enricher = createEnricherFromConfig(config, redis, () => defender.client);
  const refreshes: Record<string, number> = {};
  const refresher = startRefresherFromConfig(config, {
    redis,
    enricher,
    onRefresh: (_tenant, outcome) => {
      const why = outcome.kind !== 'no-budget' ? '' : typeof outcome.blockedBy === 'string' ? ` (${outcome.blockedBy})` : ` (window ${outcome.blockedBy.windowMs} ms)`;
      refreshes[outcome.kind + why] = (refreshes[outcome.kind + why] ?? 0) + 1;
    },
  });
  const report = { name: policy.name, seenBefore: [] as boolean[], withoutWaiting: [] as boolean[], timeToResultMs: [] as number[], ageMs: [] as number[], stale: 0, statuses: {} as Record<string, number> };
  const ready: { alert: StreamAlert; tries: number }[] = [];
  const idle: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let arrived = 0;
  let open = 0;
  let stopped = false;
  const wakeOne = (): void => idle.shift()?.();
  const arrivals = setInterval(() => {
    for (; arrived < mine.length && startAt + (mine[arrived]?.at ?? 0) <= Date.now(); arrived += 1) {
      const alert = mine[arrived];
      if (!alert) break;
      open += 1;
      ready.push({ alert, tries: 0 });
      wakeOne();
    }
  }, 5);
  const lastAt = startAt + (mine.at(-1)?.at ?? 0);
  const stop = (): void => {
    stopped = true;
    for (const wake of idle.splice(0)) wake();
  };
  const stopTimer = setTimeout(stop, lastAt + plan.drainMs - Date.now());

  async function slot(): Promise<void> {
    while (!stopped) {
      const job = ready.shift();
      if (!job) {
        if (arrived === mine.length && open === 0) return stop();
        await new Promise<void>((resolve) => idle.push(resolve));
        continue;
      }
      const { alert } = job;
      const [result] = await enricher.enrich(tenant?.name ?? '', [alert.ip], { lookBackHours: tenant?.MDE_LOOKBACK_HOURS ?? 720, deadline: Date.now() });
      if (!result) continue;
      if (result.status === 'deferred') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          ready.unshift({ alert, tries: job.tries + 1 });
          wakeOne();
        }, (result.retryAt ?? Date.now()) - Date.now());
        timers.add(timer);
        continue;
      }
      open -= 1;
      if (alert.at < plan.measureFromMs) continue;
      const answeredAt = Date.now();
      report.seenBefore.push(alert.seenBefore);
      report.withoutWaiting.push(job.tries === 0);
      report.timeToResultMs.push(answeredAt - (startAt + alert.at));
      if (result.fetchedAt) report.ageMs.push(Math.max(0, answeredAt - Date.parse(result.fetchedAt)));
      if (result.stale) report.stale += 1;
      report.statuses[result.status] = (report.statuses[result.status] ?? 0) + 1;
    }
  }

  await Promise.all(Array.from({ length: plan.concurrency }, slot));
  clearInterval(arrivals);
  clearTimeout(stopTimer);
  for (const timer of timers) clearTimeout(timer);
  const unanswered = mine.filter((alert) => alert.at >= plan.measureFromMs).length - report.seenBefore.length;
  await refresher?.close(Date.now() + 10_000);
  await enricher.close();
  await defender.close();
  await redis.quit();
  return { ...report, unanswered, callTimes: defender.calls.map((call) => call.at), refreshes };
}

tell('ready');
const { startAt } = await hear<{ startAt: number }>();
const reports = await Promise.all(plan.policies.map((policy) => runPolicy(policy, startAt)));
tell('done', { reports });
