/**
 * One worker process of the throughput benchmark. `ipenrich`: the product's worker exactly as
 * `ipenrich worker` wires it (startWorker: extract → enrich → result → sinks from configuration);
 * `noop`: a bare BullMQ Worker on the same kind of queue with the same options and a processor that
 * does nothing — the baseline; `post`: the same bare Worker whose processor only signs each job's alert
 * (Standard Webhooks) and POSTs it over HTTPS to BENCH_POST_URL — the floor under any webhook
 * connector on this machine. Configuration comes from the environment, the mode from argv[2].
 *
 * Talks to the parent in JSON lines: `ready`, then for each `{ jobs, steadyAfter }` it receives, `armed`
 * and, once that many jobs have finished (completed or failed), `round` with its counts and its steady
 * part: from the moment the first `steadyAfter` jobs had finished to the last, its time and the CPU and
 * write calls of this process meanwhile. Stdin closing ends the process.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Worker, type Job, type Processor } from 'bullmq';
import { request } from 'undici';
import { signWebhook } from '../../connectors/webhook/sign.js';
import { loadConfig } from '../../src/config/load.js';
import { bufferedLogDestination, createLogger } from '../../src/log.js';
import { ALERTS_QUEUE } from '../../src/queue/alerts-queue.js';
import { createRedis } from '../../src/redis/connection.js';
import { keySpace } from '../../src/redis/keys.js';
import { openRuntime } from '../../src/composition/runtime.js';
import { startWorker } from '../../src/composition/start-worker.js';
import { tell } from '../../test/integration/budget/support/child-process.js';

export type WorkerMode = 'ipenrich' | 'noop' | 'post';

export interface RoundReport {
  readonly completed: number;
  readonly failed: number;
  /** First failure reasons, to say what went wrong. */
  readonly failures: string[];
  /** Epoch ms when the last job of the round finished. */
  readonly endedAt: number;
  /**
   * The round's steady part, which leaves out its start (the worker filling its slots, a machine coming
   * out of idle): epoch ms when the first `steadyAfter` jobs had finished, and the jobs finished after.
   */
  readonly steadyFrom: number;
  readonly steadyJobs: number;
  /** CPU time (user + system) this process used in the steady part. */
  readonly cpuMs: number;
  /** Write system calls this process made meanwhile (sockets, logs); NaN where /proc/self/io cannot be read. */
  readonly writeCalls: number;
}

/** Where the steady part of a round starts: the time, this process's CPU and its write calls then. */
interface Mark {
  readonly at: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly writes: number;
}

const mark = (): Mark => ({ at: Date.now(), cpu: process.cpuUsage(), writes: writeCallsSoFar() });

/** Write system calls so far (Linux `/proc/self/io` syscw): a socket write is one, however many commands it carries. */
function writeCallsSoFar(): number {
  try {
    return Number(/^syscw:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

const ROUND_TIMEOUT_MS = 300_000;

const mode = process.argv[2] as WorkerMode;
if (mode !== 'ipenrich' && mode !== 'noop' && mode !== 'post') throw new Error(`worker mode must be ipenrich, noop or post, got ${String(mode)}`);
const config = loadConfig(process.env);

interface Running {
  readonly worker: Worker;
  close(): Promise<void>;
}

async function startIpenrich(): Promise<Running> {
  // Logs are produced at the configured level as in production, then thrown away (stderr is the parent's
  // terminal), or appended to BENCH_WORKER_LOG when set, to see what the workers did in a run.
  const logger = createLogger({ level: config.LOG_LEVEL, destination: bufferedLogDestination(process.env.BENCH_WORKER_LOG ?? '/dev/null') });
  const runtime = await openRuntime(process.env, { config, logger, waitForRedis: true });
  const started = await startWorker(runtime);
  return {
    worker: started.alertWorker.worker,
    async close() {
      await started.close(10_000);
      await runtime.close();
    },
  };
}

/** A bare BullMQ Worker with the options createAlertWorker gives BullMQ, so only the processor differs. */
async function startBare(processor: Processor): Promise<Running> {
  const redis = createRedis(config.REDIS_URL);
  const worker = new Worker(ALERTS_QUEUE, processor, {
    connection: redis,
    prefix: keySpace(config.IPENRICH_PREFIX).queuePrefix,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    maxStalledCount: 3,
    autorun: true,
  });
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await redis.quit();
    },
  };
}

/**
 * Signs the job's alert as it came and POSTs it with undici's default keep-alive agent (which trusts
 * NODE_EXTRA_CA_CERTS, the receiver's CA): what every webhook connector does at least, nothing more.
 */
function signedPost(url: string, secret: string): Processor {
  return async (job: Job<{ alert: unknown }>) => {
    const body = JSON.stringify(job.data.alert);
    // The id as ipenrich derives a delivery's (no '.', which Standard Webhooks' signed text uses as separator).
    const id = `msg_${createHash('sha256').update(job.id ?? '').digest('hex').slice(0, 32)}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) },
    });
    await response.body.dump();
    if (response.statusCode >= 300) throw new Error(`the receiver answered ${response.statusCode}`);
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function start(): Promise<Running> {
  if (mode === 'ipenrich') return await startIpenrich();
  if (mode === 'noop') return await startBare(() => Promise.resolve());
  return await startBare(signedPost(required('BENCH_POST_URL'), required('BENCH_POST_SECRET')));
}

const running = await start();
let round:
  | { target: number; steadyAfter: number; completed: number; failed: number; failures: string[]; steady: Mark | undefined; finish: (report: RoundReport) => void }
  | undefined;

function settle(): void {
  if (!round) return;
  const finished = round.completed + round.failed;
  if (finished === round.steadyAfter) round.steady = mark();
  if (finished < round.target || round.steady === undefined) return;
  const { completed, failed, failures, finish, steady, target, steadyAfter } = round;
  const cpu = process.cpuUsage(steady.cpu);
  const writeCalls = writeCallsSoFar() - steady.writes;
  round = undefined;
  finish({ completed, failed, failures, endedAt: Date.now(), steadyFrom: steady.at, steadyJobs: target - steadyAfter, cpuMs: (cpu.user + cpu.system) / 1000, writeCalls });
}

running.worker.on('completed', () => {
  if (!round) return;
  round.completed += 1;
  settle();
});
running.worker.on('failed', (_job, error) => {
  if (!round) return;
  round.failed += 1;
  if (round.failures.length < 5) round.failures.push(error.message);
  settle();
});
tell('ready');

for await (const line of createInterface({ input: process.stdin })) {
  const { jobs, steadyAfter } = JSON.parse(line) as { jobs: number; steadyAfter: number };
  if (!(Number.isInteger(steadyAfter) && steadyAfter >= 0 && steadyAfter < jobs)) throw new Error(`steadyAfter must be an integer from 0 to jobs - 1, got ${steadyAfter}`);
  const report = await new Promise<RoundReport>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`round of ${jobs} jobs did not finish within ${ROUND_TIMEOUT_MS / 1000} s`)), ROUND_TIMEOUT_MS);
    round = {
      target: jobs,
      steadyAfter,
      completed: 0,
      failed: 0,
      failures: [],
      // With nothing to leave out, the steady part is the whole round from here.
      steady: steadyAfter === 0 ? mark() : undefined,
      finish: (done) => {
        clearTimeout(timer);
        resolve(done);
      },
    };
    tell('armed');
  });
  tell('round', { ...report });
}
await running.close();
