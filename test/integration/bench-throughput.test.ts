import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchAlert, ipPool } from '../../bench/throughput/alerts.js';
import { formatReport, headlineRatio, SMOKE, webhookCpuBound } from '../../bench/throughput/index.js';
import { measureThroughput, VARIANTS, type ThroughputReport, type Variant } from '../../bench/throughput/scenario.js';
import { startLocalRedis, type LocalRedis } from '../../src/redis/local-server.js';

/**
 * The throughput benchmark's smoke run does what its report claims: every job of every round is
 * finished and none failed, every ipenrich alert is answered from the warm cache, and every
 * webhook result arrives once with a valid signature. No timing is asserted (the machine is shared).
 */
describe('bench/throughput smoke run', () => {
  let redis: LocalRedis;
  let report: ThroughputReport;

  beforeAll(async () => {
    // Its own redis-server, as the benchmark does: command and CPU counters must not see other tests.
    redis = await startLocalRedis();
    report = await measureThroughput({ ...SMOKE, redisUrl: redis.url });
  }, 120_000);

  afterAll(async () => {
    await redis.stop();
  });

  it('finishes every job of every round, none failed', () => {
    for (const variant of VARIANTS) {
      expect(report.rounds[variant]).toHaveLength(SMOKE.repetitions);
      for (const round of report.rounds[variant]) {
        expect({ variant, completed: round.completed, failed: round.failed, failures: round.failures }).toEqual({ variant, completed: SMOKE.jobs, failed: 0, failures: [] });
        // Rates and CPU are of the round's steady part: its first share of jobs left out.
        expect(round.steadyJobs).toBe(SMOKE.jobs - Math.floor(SMOKE.jobs * SMOKE.startShare));
        expect(round.steadyJobs).toBeLessThan(SMOKE.jobs);
      }
    }
  });

  it('counts the worker\'s write system calls: at least one socket write per round trip the rounds needed', () => {
    for (const variant of VARIANTS) {
      for (const round of report.rounds[variant]) {
        // Every job is fetched and completed over a socket: some writes, never fewer than one per round.
        expect(round.workerWritesPerAlert * SMOKE.jobs).toBeGreaterThanOrEqual(1);
      }
    }
    // The webhook's POSTs are writes of their own, on top of the Redis ones.
    const writes = (variant: Variant): number => Math.min(...report.rounds[variant].map((round) => round.workerWritesPerAlert));
    expect(writes('webhook')).toBeGreaterThan(writes('no-sink'));
    // The floor's POSTs too: it writes more than the no-op it is built on.
    expect(writes('floor')).toBeGreaterThan(writes('baseline'));
  });

  it('enriches from a warm cache: each IP fetched once per ipenrich worker while warming up, none while measuring', () => {
    // The pool's public IPs and the sample's private IP, for each of the two ipenrich prefixes.
    expect(report.defenderCallsWarmup).toBe(2 * (SMOKE.pool + 1));
    expect(report.defenderCallsMeasured).toBe(0);
  });

  it('delivers every webhook result once, signed, and so does the floor to its own receiver', () => {
    for (const seen of [report.webhook, report.floor]) {
      expect(seen.accepted).toBe(seen.expected);
      expect(seen.expected).toBe(Math.max(SMOKE.warmupJobs, SMOKE.pool) + SMOKE.repetitions * SMOKE.jobs);
      expect(seen.duplicates).toBe(0);
      expect(seen.rejectedSignatures).toBe(0);
    }
  });

  it('reports figures that add up: real alerts as payload, more Redis work for more stages, a finite ratio', () => {
    // The job carries the whole Sentinel alert, plus tenant, format, ids and time.
    const alertBytes = Buffer.byteLength(JSON.stringify(benchAlert('round-1', 0, ipPool(SMOKE.pool))));
    expect(report.jobDataBytes).toBeGreaterThan(alertBytes);
    expect(report.jobDataBytes).toBeLessThan(alertBytes + 500);
    const commands = (variant: (typeof VARIANTS)[number]): number => report.rounds[variant][0]?.redisCommandsPerAlert ?? Number.NaN;
    expect(commands('no-sink')).toBeGreaterThan(commands('baseline'));
    expect(commands('webhook')).toBeGreaterThan(commands('no-sink'));
    // Every variant reads each job's data back from Redis; ipenrich also sends the result there.
    const bytes = (variant: (typeof VARIANTS)[number], pick: 'redisBytesInPerAlert' | 'redisBytesOutPerAlert'): number => report.rounds[variant][0]?.[pick] ?? Number.NaN;
    expect(bytes('baseline', 'redisBytesOutPerAlert')).toBeGreaterThan(report.jobDataBytes);
    expect(bytes('no-sink', 'redisBytesInPerAlert')).toBeGreaterThan(bytes('baseline', 'redisBytesInPerAlert'));
    // The job hash holds the alert; only ipenrich keeps a record, which holds the result.
    expect(report.memory.baseline.jobBytes).toBeGreaterThan(report.jobDataBytes);
    expect(report.memory.baseline.recordBytes).toBe(0);
    expect(report.memory['no-sink'].recordBytes).toBeGreaterThan(0);
    expect(report.memory.webhook.recordBytes).toBeGreaterThan(report.memory['no-sink'].recordBytes);
    // The result is kept once, in the record: ipenrich's job hash is BullMQ's, give or take a field (a result is over 1 KB).
    expect(report.memory['no-sink'].jobBytes).toBeLessThan(report.memory.baseline.jobBytes + 512);
    for (const variant of VARIANTS) {
      for (const round of report.rounds[variant]) {
        expect(round.alertsPerSecond).toBeGreaterThan(0);
        expect(round.workerCpuMsPerAlert).toBeGreaterThan(0);
      }
    }
    const ratio = headlineRatio(report);
    expect(Number.isFinite(ratio) && ratio > 0).toBe(true);
    const markdown = formatReport(report, SMOKE, { smoke: true, loadStart: 1, loadEnd: 1, wallSeconds: 10 });
    expect(markdown).toContain(`${ratio.toFixed(2)}× the raw BullMQ no-op rate`);
    const floorRatio = (report.rounds.floor[0]?.alertsPerSecond ?? Number.NaN) / (report.rounds.baseline[0]?.alertsPerSecond ?? Number.NaN);
    expect(markdown).toContain(`The floor reads ${floorRatio.toFixed(2)}× the no-op`);
    expect(markdown).toContain(`| ${SMOKE.repetitions * SMOKE.jobs} / 0 |`);
    // The bound is ipenrich's own work plus the floor's exchange, as the report says.
    const bound = webhookCpuBound(report);
    const cpu = (variant: Variant): number => report.rounds[variant][0]?.workerCpuMsPerAlert ?? Number.NaN;
    expect(bound.cpuMs).toBeCloseTo(cpu('no-sink') + cpu('floor') - cpu('baseline'), 9);
    expect(bound.ratio).toBeCloseTo(cpu('baseline') / bound.cpuMs, 9);
    expect(markdown).toContain(`at most about ${bound.ratio.toFixed(2)}× the no-op`);
  });
});
