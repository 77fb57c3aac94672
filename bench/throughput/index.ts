/**
 * Benchmark `throughput`: alerts per second end to end with a warm cache (queue → worker → extract →
 * enrich from the cache → result → signed webhook delivery over HTTPS), against a bare BullMQ worker
 * with a no-op processor on the same redis-server in the same run: same concurrency, same jobs (the
 * same alerts, job data and job options), rounds alternated to spread the machine's load alike.
 *
 *   npm run bench -- throughput [--smoke] [--write]
 *
 * Targets (issue #16): ipenrich / baseline ≥ 0.3 to the webhook, ≥ 0.5 with no sink. The floor variant
 * (BullMQ + a signed POST, nothing else) says what the HTTPS exchange alone costs on the machine.
 */
import { availableParallelism } from 'node:os';
import type { BenchOptions, Benchmark } from '../run.js';
import { measureOnLocalRedis, type RunContext } from '../with-local-redis.js';
import { measureThroughput, VARIANTS, type RoundFigures, type ThroughputParams, type ThroughputReport, type Variant } from './scenario.js';

export type Params = Omit<ThroughputParams, 'redisUrl'>;

// Rounds long enough that the baseline's lasts over a second. With 4,000 jobs it lasted half a second,
// much of it start, which read slower than its steady rate and flattered every ratio to it.
export const FULL: Params = { concurrency: 8, pool: 50, warmupJobs: 1_000, jobs: 12_000, startShare: 0.25, repetitions: 5 };
export const SMOKE: Params = { concurrency: 8, pool: 10, warmupJobs: 100, jobs: 300, startShare: 0.25, repetitions: 1 };

const LABELS: Record<Variant, string> = {
  baseline: 'BullMQ, no-op processor (baseline)',
  webhook: 'ipenrich → webhook receiver (headline)',
  'no-sink': 'ipenrich, no sink',
  floor: 'BullMQ + signed HTTPS POST of the alert (floor)',
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const of = (rounds: readonly RoundFigures[], pick: (round: RoundFigures) => number): number[] => rounds.map(pick);
const spread = (values: readonly number[], digits = 0): string => `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`;

/** The median of one figure over a variant's measured rounds. */
const medianOf = (report: ThroughputReport, variant: Variant, pick: (round: RoundFigures) => number): number => median(of(report.rounds[variant], pick));
const rateOf = (report: ThroughputReport, variant: Variant): number => medianOf(report, variant, (r) => r.alertsPerSecond);
const cpuOf = (report: ThroughputReport, variant: Variant): number => medianOf(report, variant, (r) => r.workerCpuMsPerAlert);
/** The floor's signed HTTPS exchange: its worker CPU per job over the no-op's. */
const exchangeCpuOf = (report: ThroughputReport): number => cpuOf(report, 'floor') - cpuOf(report, 'baseline');

/** CPU time of the worker process over the round's wall time. */
const coresBusy = (round: RoundFigures): number => (round.workerCpuMsPerAlert * round.alertsPerSecond) / 1000;

/** Per repetition, the ipenrich variant's rate over the baseline's measured just before it. */
export function pairedRatios(report: ThroughputReport, variant: Variant): number[] {
  return report.rounds[variant].map((round, i) => round.alertsPerSecond / (report.rounds.baseline[i]?.alertsPerSecond ?? Number.NaN));
}

/**
 * What any webhook delivery by ipenrich costs at least: its work with no sink plus the floor's signed
 * exchange (the floor's CPU over the no-op's), before a record, a delivery mark or a retry costs anything.
 */
export function webhookCpuBound(report: ThroughputReport): { cpuMs: number; ratio: number } {
  const cpuMs = cpuOf(report, 'no-sink') + exchangeCpuOf(report);
  return { cpuMs, ratio: cpuOf(report, 'baseline') / cpuMs };
}

function boundSentence(report: ThroughputReport): string {
  const bound = webhookCpuBound(report);
  return `ipenrich's work with no sink plus the floor's exchange is ${fixed(bound.cpuMs, 3)} ms of worker CPU per alert: a webhook delivery
that cost nothing beyond a bare signed POST would still run at most about ${fixed(bound.ratio, 2)}× the no-op, CPU for CPU.`;
}

export function headlineRatio(report: ThroughputReport): number {
  return rateOf(report, 'webhook') / rateOf(report, 'baseline');
}

function row(report: ThroughputReport, variant: Variant): string {
  const rounds = report.rounds[variant];
  const rates = of(rounds, (r) => r.alertsPerSecond);
  const ratio = variant === 'baseline' ? '1' : fixed(median(rates) / rateOf(report, 'baseline'), 2);
  const cells = [
    LABELS[variant],
    fixed(median(rates)),
    spread(rates),
    ratio,
    fixed(median(of(rounds, (r) => r.workerCpuMsPerAlert)), 3),
    fixed(median(of(rounds, coresBusy)), 2),
    fixed(median(of(rounds, (r) => r.workerWritesPerAlert)), 2),
    fixed(median(of(rounds, (r) => r.redisCpuMsPerAlert)), 3),
    fixed(median(of(rounds, (r) => r.redisCommandsPerAlert)), 1),
    `${fixed(median(of(rounds, (r) => r.redisBytesInPerAlert)))} / ${fixed(median(of(rounds, (r) => r.redisBytesOutPerAlert)))}`,
    `${rounds.reduce((sum, r) => sum + r.completed, 0)} / ${rounds.reduce((sum, r) => sum + r.failed, 0)}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

export function formatReport(report: ThroughputReport, params: Params, context: RunContext): string {
  const webhookRatios = pairedRatios(report, 'webhook');
  const noSinkRatios = pairedRatios(report, 'no-sink');
  const floorRatios = pairedRatios(report, 'floor');
  const rate = (variant: Variant): number => rateOf(report, variant);
  const failures = VARIANTS.flatMap((variant) => report.rounds[variant].flatMap((r) => r.failures.map((reason) => `${variant}: ${reason}`)));
  const base = report.rounds.baseline;
  const hook = report.rounds.webhook;
  const cpu = (variant: Variant): number => cpuOf(report, variant);
  const commands = (rounds: readonly RoundFigures[]): number => median(of(rounds, (r) => r.redisCommandsPerAlert));
  const cores = (rounds: readonly RoundFigures[]): number => median(of(rounds, coresBusy));
  const bound = cores(base) >= 0.8 && cores(hook) >= 0.8;
  return `## End-to-end throughput (\`throughput\`)

Command: \`npm run bench -- throughput --write\`${context.smoke ? ' (smoke run)' : ''}. Node ${process.version}, ${availableParallelism()} cores shared with other
work (load average ${fixed(context.loadStart, 1)} at the start, ${fixed(context.loadEnd, 1)} at the end): absolute rates move with the load, the ratio is
measured in the same run. One redis-server (started by the benchmark, no persistence), four worker
processes on their own prefixes, each with WORKER_CONCURRENCY=${params.concurrency}; each round fills the paused queue with
${params.jobs} alerts (outside the timing), resumes it and times the round's steady part: from the moment the worker has finished
its first ${fixed(params.startShare * 100)} % of the jobs (a worker filling its slots, a machine coming out of idle) to the last job; rates, worker CPU and
write calls are of that part, Redis's figures of the whole round. Rounds
alternate baseline → ipenrich webhook → ipenrich no sink → floor, ${params.repetitions} times, after one unmeasured warm-up round of
${Math.max(params.warmupJobs, params.pool)} alerts each (which fills the cache and warms the JIT). Every variant gets the same jobs: the bundled Sentinel
SecurityAlert sample with its own SystemAlertId and one of ${params.pool} public IPs (plus its private IP), enqueued by
\`enqueueAlerts\` with the product's job options (priority, attempts, retention); job data ${report.jobDataBytes} bytes.

- **baseline**: a bare BullMQ \`Worker\` with the same options and a processor that returns at once.
- **ipenrich → webhook**: the worker as \`ipenrich worker\` wires it (\`startWorker\`): validate the job, extract
  the IPs, enrich them from the shared cache (Defender calls during the measured rounds:
  ${report.defenderCallsMeasured}; ${report.defenderCallsWarmup} while warming up; most lookups are answered from the process's copy of entries it read
  from Redis, \`CACHE_LOCAL_TTL_MS\`), build the result, keep it in the job's record, POST it
  signed (Standard Webhooks) over HTTPS to a receiver in the benchmark process that verifies every
  signature, record the delivery with the job's completion, log at \`info\` (to /dev/null). The receiver accepted ${report.webhook.accepted} of ${report.webhook.expected} distinct deliveries
  (${report.webhook.duplicates} duplicates, ${report.webhook.rejectedSignatures} bad signatures).
- **ipenrich, no sink**: the same worker with \`SINKS\` empty: the result is built and kept, in the same socket write as the job's completion; nothing is sent.
- **floor**: the baseline's bare BullMQ \`Worker\` whose processor only signs the job's alert as it came (Standard
  Webhooks, the same secret) and POSTs it over HTTPS with undici's default keep-alive agent to a receiver like
  the webhook's (in the benchmark process, verifying every signature): no validation, extraction, cache,
  record or retries — what any webhook connector does at least. Its receiver accepted ${report.floor.accepted} of ${report.floor.expected}
  (${report.floor.duplicates} duplicates, ${report.floor.rejectedSignatures} bad signatures).

| variant | alerts/s (median) | spread (min–max) | × baseline | worker CPU ms/alert | worker CPU busy (cores) | worker write calls/alert | redis CPU ms/alert | redis commands/alert | bytes to / from redis per alert | completed / failed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${VARIANTS.map((variant) => row(report, variant)).join('\n')}

**Headline: ipenrich delivers ${fixed(rate('webhook'))} alerts/s to a real webhook, ${fixed(headlineRatio(report), 2)}× the raw BullMQ no-op rate of
${fixed(rate('baseline'))} jobs/s** (targets: ≥ 0.3 to the webhook, ≥ 0.5 with no sink, where it reads ${fixed(rate('no-sink') / rate('baseline'), 2)}×). Per repetition (each ipenrich round over the baseline round just before it):
webhook ${spread(webhookRatios, 2)}, no sink ${spread(noSinkRatios, 2)}, floor ${spread(floorRatios, 2)}.
The floor reads ${fixed(rate('floor') / rate('baseline'), 2)}× the no-op at ${fixed(cpu('floor'), 3)} ms of worker CPU per job: the signed HTTPS
exchange alone costs this machine ${fixed(exchangeCpuOf(report), 3)} ms per job, and ipenrich's webhook rate is ${fixed(rate('webhook') / rate('floor'), 2)}× the floor's.
${boundSentence(report)}
${
    bound
      ? `Both worker processes keep about one core busy (the "cores" column: worker CPU time over the round's
wall time; Node runs a job's JavaScript on one thread), so the ratio follows the CPU per alert`
      : `The worker processes were not both saturated (the "cores" column: worker CPU time over the round's
wall time), so waiting (Redis, the receiver, other load on the machine) limited them as well as the CPU per alert`
  }:
${fixed(cpu('webhook'), 3)} ms for ipenrich with the webhook against ${fixed(cpu('baseline'), 3)} ms for BullMQ alone (${fixed(cpu('webhook') / cpu('baseline'), 1)}×); Redis runs
${fixed(commands(hook), 0)} commands per alert against ${fixed(commands(base), 0)} (BullMQ's own scripts count their inner commands). The bytes are
what redis-server read from its clients and wrote to them during the round (\`total_net_input_bytes\`,
\`total_net_output_bytes\`): every variant reads each job back; ipenrich also sends its result, once, to the job's record.
"Worker write calls" are the worker process's write system calls (\`/proc/self/io\` \`syscw\`): socket writes to Redis
and the receiver, and log flushes; commands sent together in one socket write count once.
Redis memory one finished alert holds (\`MEMORY USAGE … SAMPLES 0\` of the latest): BullMQ's job hash, kept a day after it
completes, ${report.memory.baseline.jobBytes} bytes with the no-op processor and ${report.memory.webhook.jobBytes} with ipenrich; ipenrich's record of the job (its result and
delivery state), kept 8 days, ${report.memory.webhook.recordBytes} bytes with the webhook and ${report.memory['no-sink'].recordBytes} with no sink.
Wall time ${fixed(context.wallSeconds, 1)} s.${
    failures.length > 0 ? `\n\nFailures: ${failures.join('; ')}` : ''
  }
`;
}

export const run: Benchmark = async (options: BenchOptions) => {
  const params = options.smoke ? SMOKE : FULL;
  const { report, context } = await measureOnLocalRedis(options.smoke, (redisUrl) => measureThroughput({ ...params, redisUrl }));
  return formatReport(report, params, context);
};
