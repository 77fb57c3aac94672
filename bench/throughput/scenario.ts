import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createAlertsQueue, type AlertsQueue } from '../../src/queue/alerts-queue.js';
import { acceptAlerts, type IntakeOptions } from '../../src/pipeline/intake.js';
import { createRedis, type Redis } from '../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../src/redis/keys.js';
import { startEmulators } from '../../src/emulators/emulators.js';
import { startWebhookReceiver } from '../../src/emulators/webhook-receiver.js';
import { spawnChild, type Child } from '../../test/integration/budget/support/child-process.js';
import { benchAlert, ipPool } from './alerts.js';
import type { RoundReport, WorkerMode } from './worker.js';

/**
 * What runs the jobs: the bare BullMQ baseline, ipenrich delivering to the webhook receiver or to no
 * sink, or the floor: the bare BullMQ worker that only signs and POSTs each alert to a receiver.
 */
export type Variant = 'baseline' | 'webhook' | 'no-sink' | 'floor';
/** The order of every repetition: the ipenrich variants run right after the baseline they are compared with. */
export const VARIANTS: readonly Variant[] = ['baseline', 'webhook', 'no-sink', 'floor'];

export interface ThroughputParams {
  readonly redisUrl: string;
  /** WORKER_CONCURRENCY of every worker. */
  readonly concurrency: number;
  /** Distinct public IPs the alerts draw from (each alert also carries the sample's private IP). */
  readonly pool: number;
  /** Alerts of the warm-up round of each variant (not measured): fills the cache, warms the JIT. */
  readonly warmupJobs: number;
  /** Alerts per measured round. */
  readonly jobs: number;
  /**
   * The share of each round's first jobs left out of its rate and CPU figures: the worker filling its
   * slots and the machine coming out of idle make a round's start slower or faster than its steady part,
   * and they weigh most in the shortest rounds, the baseline's.
   */
  readonly startShare: number;
  /** Measured rounds per variant, alternating baseline, webhook, no sink. */
  readonly repetitions: number;
}

export interface RoundFigures {
  readonly completed: number;
  readonly failed: number;
  readonly failures: readonly string[];
  /** The steady part of the round (all but its first `startShare` of jobs): its jobs, seconds and alerts per second. */
  readonly steadyJobs: number;
  readonly seconds: number;
  readonly alertsPerSecond: number;
  /** CPU of the worker process per alert in the steady part. */
  readonly workerCpuMsPerAlert: number;
  /** Write system calls of the worker process per alert in the steady part (NaN off Linux). */
  readonly workerWritesPerAlert: number;
  /** Redis's figures per alert over the whole round (INFO is read before and after it). */
  readonly redisCpuMsPerAlert: number;
  readonly redisCommandsPerAlert: number;
  /** Bytes redis-server read from its clients, and wrote to them, per alert (its `total_net_*_bytes`). */
  readonly redisBytesInPerAlert: number;
  readonly redisBytesOutPerAlert: number;
}

export interface ThroughputReport {
  /** Bytes of one job's data as stored (the same alerts and job options in every variant). */
  readonly jobDataBytes: number;
  readonly rounds: Readonly<Record<Variant, readonly RoundFigures[]>>;
  /** Defender calls while warming up, and during the measured rounds (0 when the cache was warm). */
  readonly defenderCallsWarmup: number;
  readonly defenderCallsMeasured: number;
  /**
   * Redis memory one finished alert holds (MEMORY USAGE, every field counted): BullMQ's job hash, kept
   * a day after it completes, and ipenrich's record of the job (result and delivery state), kept 8 days.
   */
  readonly memory: Readonly<Record<Variant, { readonly jobBytes: number; readonly recordBytes: number }>>;
  /** What the webhook receiver saw, warm-up included: distinct deliveries expected and accepted. */
  readonly webhook: ReceiverCounts;
  /** The same, for the floor's receiver. */
  readonly floor: ReceiverCounts;
}

interface ReceiverCounts {
  readonly expected: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejectedSignatures: number;
}

/** Generous on purpose: the measured rounds make no Defender calls; warming up must not wait for budget. */
const RATE_LIMITS = '1000/1s';
/** Chunks of alerts enqueued concurrently (each chunk in order): filling the queue is not what is measured. */
const ENQUEUE_CHUNK = 100;

interface RedisCounters {
  readonly cpuMs: number;
  readonly commands: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

function infoNumber(info: string, field: string): number {
  const value = new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1];
  if (value === undefined) throw new Error(`redis INFO has no ${field}`);
  return Number(value);
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const cpu = await redis.info('cpu');
  const stats = await redis.info('stats');
  return {
    cpuMs: (infoNumber(cpu, 'used_cpu_sys') + infoNumber(cpu, 'used_cpu_user')) * 1000,
    commands: infoNumber(stats, 'total_commands_processed'),
    bytesIn: infoNumber(stats, 'total_net_input_bytes'),
    bytesOut: infoNumber(stats, 'total_net_output_bytes'),
  };
}

interface Lane {
  readonly child: Child;
  readonly queue: AlertsQueue;
}

async function enqueue(queue: AlertsQueue, batch: string, count: number, pool: readonly string[], producer: IntakeOptions): Promise<void> {
  const chunks: Promise<{ duplicate: boolean }[]>[] = [];
  for (let start = 0; start < count; start += ENQUEUE_CHUNK) {
    const requests = Array.from({ length: Math.min(ENQUEUE_CHUNK, count - start) }, (_, i) => ({ alert: benchAlert(batch, start + i, pool) }));
    chunks.push(acceptAlerts(queue, requests, producer));
  }
  const duplicates = (await Promise.all(chunks)).flat().filter((job) => job.duplicate).length;
  if (duplicates > 0) throw new Error(`${duplicates} alerts of batch ${batch} were already queued`);
}

/**
 * One round: fill the paused queue, let the worker know how many jobs to expect, then resume the
 * queue and time the round's steady part: from the moment its first `startShare` of jobs have finished
 * to the last. Enqueueing is outside the timing.
 */
async function measureRound(lane: Lane, redis: Redis, batch: string, count: number, startShare: number, pool: readonly string[], producer: IntakeOptions): Promise<RoundFigures> {
  await lane.queue.pause();
  await enqueue(lane.queue, batch, count, pool, producer);
  lane.child.send({ jobs: count, steadyAfter: Math.floor(count * startShare) });
  await lane.child.next('armed');
  const before = await redisCounters(redis);
  await lane.queue.resume();
  const round = await lane.child.next<RoundReport>('round');
  const after = await redisCounters(redis);
  const seconds = (round.endedAt - round.steadyFrom) / 1000;
  return {
    completed: round.completed,
    failed: round.failed,
    failures: round.failures,
    steadyJobs: round.steadyJobs,
    seconds,
    alertsPerSecond: round.steadyJobs / seconds,
    workerCpuMsPerAlert: round.cpuMs / round.steadyJobs,
    workerWritesPerAlert: round.writeCalls / round.steadyJobs,
    redisCpuMsPerAlert: (after.cpuMs - before.cpuMs) / count,
    redisCommandsPerAlert: (after.commands - before.commands) / count,
    redisBytesInPerAlert: (after.bytesIn - before.bytesIn) / count,
    redisBytesOutPerAlert: (after.bytesOut - before.bytesOut) / count,
  };
}

/** Bytes Redis holds for a key, all of a hash's fields counted (0 for none). */
async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** The job hash and the job record of the lane's latest finished alert. */
async function memoryOfOneAlert(redis: Redis, queue: AlertsQueue, keys: KeySpace): Promise<{ jobBytes: number; recordBytes: number }> {
  const [job] = await queue.getJobs(['completed'], 0, 0);
  if (job?.id === undefined) throw new Error('no completed job to measure');
  return { jobBytes: await memoryUsage(redis, queue.toKey(job.id)), recordBytes: await memoryUsage(redis, keys.deliveries(job.id)) };
}

/**
 * With `BENCH_CPU_PROF_DIR` set, each worker process writes a V8 CPU profile (open it in Chrome
 * DevTools or speedscope) to a folder named after its variant when it exits: the profile the hot-path
 * work is judged by, taken under the benchmark's own load.
 */
function profiling(variant: Variant): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, variant)}`] : [];
}

/**
 * Starts the emulators, a Standard Webhooks receiver and one worker process per variant (each on
 * its own prefix of the same redis-server), warms each up, then measures `repetitions` rounds of
 * each in turn.
 */
export async function measureThroughput(params: ThroughputParams): Promise<ThroughputReport> {
  const emulators = await startEmulators({ defender: { rateLimits: RATE_LIMITS } });
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startWebhookReceiver({ secret });
  // The floor's own receiver, so each one's counts say whether every delivery of its variant arrived.
  const floorReceiver = await startWebhookReceiver({ secret });
  const redis = createRedis(params.redisUrl);
  const run = randomBytes(4).toString('hex');
  const lanes = new Map<Variant, Lane>();
  let finished = false;
  try {
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      ...emulators.env,
      REDIS_URL: params.redisUrl,
      MDE_RATE_LIMITS: RATE_LIMITS,
      WORKER_CONCURRENCY: String(params.concurrency),
      LOG_LEVEL: 'info',
    };
    for (const name of ['IPENRICH_CONFIG', 'SINKS', 'WEBHOOK_URL', 'WEBHOOK_SECRET']) delete base[name];
    const envFor: Record<Variant, NodeJS.ProcessEnv> = {
      baseline: base,
      webhook: { ...base, SINKS: 'webhook', WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: secret },
      'no-sink': base,
      floor: { ...base, BENCH_POST_URL: floorReceiver.url, BENCH_POST_SECRET: secret },
    };
    const config = loadConfig(base);
    const producer: IntakeOptions = { defaultTenant: config.IPENRICH_DEFAULT_TENANT, attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS };
    const prefixOf = (variant: Variant): string => `bench-throughput-${run}-${variant}`;
    for (const variant of VARIANTS) {
      const prefix = prefixOf(variant);
      const mode: WorkerMode = variant === 'baseline' ? 'noop' : variant === 'floor' ? 'post' : 'ipenrich';
      const child = spawnChild(new URL('./worker.ts', import.meta.url), [mode], { ...envFor[variant], IPENRICH_PREFIX: prefix }, profiling(variant));
      lanes.set(variant, { child, queue: createAlertsQueue(redis, keySpace(prefix)) });
    }
    const lane = (variant: Variant): Lane => {
      const found = lanes.get(variant);
      if (!found) throw new Error(`no worker for ${variant}`);
      return found;
    };
    await Promise.all([...lanes.values()].map((l) => l.child.next('ready')));

    const pool = ipPool(params.pool);
    const warmup = Math.max(params.warmupJobs, params.pool);
    for (const variant of VARIANTS) {
      const warm = await measureRound(lane(variant), redis, 'warmup', warmup, params.startShare, pool, producer);
      if (warm.failed > 0) throw new Error(`warm-up of ${variant}: ${warm.failed} jobs failed (${warm.failures.join('; ')})`);
    }
    const defenderCallsWarmup = emulators.defender.counters.totalCalls;
    const [stored] = await lane('baseline').queue.getJobs(['completed'], 0, 0);
    if (!stored) throw new Error('no completed warm-up job to measure');
    const jobDataBytes = Buffer.byteLength(JSON.stringify(stored.data));

    const rounds: Record<Variant, RoundFigures[]> = { baseline: [], webhook: [], 'no-sink': [], floor: [] };
    for (let repetition = 1; repetition <= params.repetitions; repetition++) {
      for (const variant of VARIANTS) {
        rounds[variant].push(await measureRound(lane(variant), redis, `round-${repetition}`, params.jobs, params.startShare, pool, producer));
      }
    }
    const memory = Object.fromEntries(
      await Promise.all(VARIANTS.map(async (variant) => [variant, await memoryOfOneAlert(redis, lane(variant).queue, keySpace(prefixOf(variant)))] as const)),
    ) as Record<Variant, { jobBytes: number; recordBytes: number }>;
    finished = true;
    const expected = warmup + params.repetitions * params.jobs;
    const counts = (seen: typeof receiver): ReceiverCounts => ({
      expected,
      accepted: seen.deliveries.size,
      duplicates: seen.counters.duplicates,
      rejectedSignatures: seen.counters.rejectedSignatures,
    });
    return {
      jobDataBytes,
      rounds,
      memory,
      defenderCallsWarmup,
      defenderCallsMeasured: emulators.defender.counters.totalCalls - defenderCallsWarmup,
      webhook: counts(receiver),
      floor: counts(floorReceiver),
    };
  } finally {
    // Closing stdin ends a worker after its round; one stuck in a round after a failure is killed.
    for (const { child } of lanes.values()) {
      if (finished) child.process.stdin?.end();
      else child.process.kill('SIGKILL');
    }
    await Promise.all([...lanes.values()].map(({ child }) => child.exited));
    await Promise.all([...lanes.values()].map(({ queue }) => queue.close()));
    await redis.quit();
    await receiver.close();
    await floorReceiver.close();
    await emulators.close();
  }
}
