import { writeEmulatorTenantsFile } from '../../src/emulators/tenants-file.js';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load.js';
import { startEmulators } from '../../src/emulators/emulators.js';
import { startWebhookReceiver } from '../../src/emulators/webhook-receiver.js';
import { acceptAlerts, type AlertRequest, type IntakeOptions } from '../../src/pipeline/intake.js';
import { createAlertsQueue, type AlertsQueue } from '../../src/queue/alerts-queue.js';
import { createRedis, type Redis } from '../../src/redis/connection.js';
import { keySpace } from '../../src/redis/keys.js';
import { spawnChild, type Child } from '../../test/integration/budget/support/child-process.js';

/** The queue order under test: fair share (the product), or severity alone (before it: the baseline). */
export type Order = 'fair-share' | 'severity';

export interface FairnessParams {
  readonly redisUrl: string;
  /** Worker processes, each with WORKER_CONCURRENCY = concurrency. */
  readonly workers: number;
  readonly concurrency: number;
  /** Tenant A's alerts, each with an IP of its own, queued before B's first. */
  readonly backlog: number;
  /** Tenant B's alerts, one every `intervalMs`. */
  readonly trickle: number;
  readonly intervalMs: number;
  /** How long after its last alert B's are waited for; those still pending count as undelivered, with the time until then. */
  readonly drainMs: number;
  /**
   * Runs of the fair-share order, each on fresh worker processes and a fresh prefix: one run's p99
   * rests on a handful of B's alerts. The severity order runs once: it is off by two orders of magnitude.
   */
  readonly repetitions: number;
}

/** One of tenant B's alerts: when it was queued, how long it waited for a worker slot, and enqueue → delivered (ms). */
export interface Delivery {
  readonly queuedAt: number;
  readonly slotWaitMs: number;
  /** Undelivered: the time to the deadline. */
  readonly latencyMs: number;
}

/** What tenant B saw in one phase. */
export interface PhaseFigures {
  readonly deliveries: readonly Delivery[];
  readonly undelivered: number;
  /** Ms spent queueing A's backlog (before B's first alert; outside B's figures). */
  readonly backlogQueueMs: number;
  /** Epoch ms when every alert of A's backlog had been taken by a worker at least once (none waiting any more). */
  readonly firstPassEndedAt?: number;
}

type Phase = 'alone' | 'flood';
/** One run of an order: B alone, then B behind A's backlog, with the same worker processes. */
export type OrderRun = Readonly<Record<Phase, PhaseFigures>>;
export type FairnessReport = Readonly<Record<Order, readonly OrderRun[]>>;

/** Scaled Defender windows (100/min and 1,500/h at 1/6 and 1/360 of the time): A's backlog runs out of budget in seconds. */
export const RATE_LIMITS = '20/1s,100/10s';
const ENQUEUE_CHUNK = 500;
const WARM_UP_ALERTS = 5;
const POLL_MS = 100;

/** An ECS alert of medium severity with one public IP of its own: every lookup is new. */
function alert(id: string, ip: string): unknown {
  return { '@timestamp': '2026-11-26T10:00:00Z', event: { id, kind: 'alert', severity: 'medium' }, related: { ip: [ip] } };
}

/** The n-th of distinct public addresses in one /8. */
const ipOf = (firstOctet: number, n: number): string => `${firstOctet}.${Math.floor(n / 62_500) % 250}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;

async function queueBacklog(queue: AlertsQueue, count: number, producer: IntakeOptions, run: string): Promise<void> {
  for (let start = 0; start < count; start += ENQUEUE_CHUNK) {
    const requests: AlertRequest[] = Array.from({ length: Math.min(ENQUEUE_CHUNK, count - start) }, (_, i) => ({
      alert: alert(`${run}-a-${start + i}`, ipOf(23, start + i)),
      tenant: 'a',
    }));
    await acceptAlerts(queue, requests, producer);
  }
}

/** B's trickle: one alert every interval (on a fixed schedule, not after each answer), IPs from `firstIp` on; returns the job ids. */
async function trickle(queue: AlertsQueue, params: FairnessParams, producer: IntakeOptions, run: string, firstIp: number): Promise<string[]> {
  const ids: string[] = [];
  const started = Date.now();
  for (let n = 0; n < params.trickle; n++) {
    const due = started + n * params.intervalMs;
    if (due > Date.now()) await sleep(due - Date.now());
    const [job] = await acceptAlerts(queue, [{ alert: alert(`${run}-b-${n}`, ipOf(45, firstIp + n)), tenant: 'b' }], producer);
    if (job) ids.push(job.jobId);
  }
  return ids;
}

/**
 * Enqueue → delivered per job: BullMQ's `timestamp` (set when added) to `finishedOn` (completed after
 * the webhook accepted it). A job not finished by the deadline counts with the time to the deadline:
 * a lower bound.
 */
async function latencies(queue: AlertsQueue, ids: readonly string[], deadline: number): Promise<Omit<PhaseFigures, 'backlogQueueMs'>> {
  for (;;) {
    const jobs = (await Promise.all(ids.map((id) => queue.getJob(id)))).filter((job) => job !== undefined);
    const undelivered = jobs.filter((job) => !job.finishedOn).length;
    const now = Date.now();
    if (undelivered === 0 || now >= deadline) {
      const deliveries = jobs.map((job) => ({
        queuedAt: job.timestamp,
        slotWaitMs: (job.processedOn ?? now) - job.timestamp,
        latencyMs: (job.finishedOn ?? now) - job.timestamp,
      }));
      return { deliveries, undelivered };
    }
    await sleep(POLL_MS);
  }
}

/** Resolves with the epoch ms when no job waits for a worker any more (A's backlog has all been taken once), or at `deadline`. */
async function firstPassEnd(queue: AlertsQueue, deadline: number): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const counts = await queue.getJobCounts('wait', 'prioritized');
    if ((counts.wait ?? 0) + (counts.prioritized ?? 0) === 0) return Date.now();
    await sleep(POLL_MS);
  }
  return undefined;
}

interface Shared {
  readonly redis: Redis;
  readonly env: NodeJS.ProcessEnv;
  readonly producer: Omit<IntakeOptions, 'order'>;
}

/** A few alerts of each tenant, unmeasured: the workers' JIT, Defender tokens and connections are warm before B is timed. */
async function warmUp(queue: AlertsQueue, producer: IntakeOptions, run: string, drainMs: number): Promise<void> {
  const requests = (['a', 'b'] as const).flatMap((tenant) =>
    Array.from({ length: WARM_UP_ALERTS }, (_, n) => ({ alert: alert(`${run}-warm-${tenant}-${n}`, ipOf(tenant === 'a' ? 24 : 46, n)), tenant })),
  );
  const jobs = await acceptAlerts(queue, requests, producer);
  const { undelivered } = await latencies(queue, jobs.map((job) => job.jobId), Date.now() + drainMs);
  if (undelivered > 0) throw new Error(`warm-up: ${undelivered} alerts not delivered within ${drainMs} ms`);
}

/** B alone, then B behind A's backlog, on one prefix with the same worker processes; B's IPs differ per phase. */
async function measureOrder(shared: Shared, params: FairnessParams, order: Order): Promise<OrderRun> {
  const run = `${order}-${randomBytes(3).toString('hex')}`;
  const queue = createAlertsQueue(shared.redis, keySpace(`bench-fairness-${run}`));
  const children: Child[] = [];
  try {
    const producer: IntakeOptions = { ...shared.producer, order };
    for (let i = 0; i < params.workers; i++) {
      children.push(spawnChild(new URL('../throughput/worker.ts', import.meta.url), ['ipenrich'], { ...shared.env, IPENRICH_PREFIX: `bench-fairness-${run}` }));
    }
    await Promise.all(children.map((child) => child.next('ready')));
    await warmUp(queue, producer, run, params.drainMs);
    const alone = await latencies(queue, await trickle(queue, params, producer, `${run}-alone`, 0), Date.now() + params.drainMs);
    // A's backlog is all queued before B's first alert, the queue paused so the workers start on all of it.
    const queued = Date.now();
    await queue.pause();
    await queueBacklog(queue, params.backlog, producer, run);
    await queue.resume();
    const backlogQueueMs = Date.now() - queued;
    const [ids, firstPassEndedAt] = await Promise.all([
      trickle(queue, params, producer, `${run}-flood`, params.trickle),
      // While B trickles: B's own alerts are taken at once, so what still waits is A's.
      firstPassEnd(queue, Date.now() + params.trickle * params.intervalMs),
    ]);
    const flood = await latencies(queue, ids, Date.now() + params.drainMs);
    return { alone: { ...alone, backlogQueueMs: 0 }, flood: { ...flood, backlogQueueMs, ...(firstPassEndedAt === undefined ? {} : { firstPassEndedAt }) } };
  } finally {
    // A's backlog is still deferred: the workers are killed rather than drained.
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await queue.close();
  }
}

/** For each order, each run: B alone, then B behind A's backlog. */
export async function measureFairness(params: FairnessParams): Promise<FairnessReport> {
  const emulators = await startEmulators({ defender: { rateLimits: RATE_LIMITS } });
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startWebhookReceiver({ secret });
  const redis = createRedis(params.redisUrl);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...emulators.env,
      REDIS_URL: params.redisUrl,
      IPENRICH_CONFIG: writeEmulatorTenantsFile(['a', 'b'], { ...emulators.env, WEBHOOK_SECRET: secret }, emulators.entra),
      MDE_RATE_LIMITS: RATE_LIMITS,
      WORKER_CONCURRENCY: String(params.concurrency),
      SINKS: 'webhook',
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: secret,
      LOG_LEVEL: 'info',
    };
    const config = loadConfig(env);
    const shared: Shared = { redis, env, producer: { defaultTenant: config.IPENRICH_DEFAULT_TENANT, attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS } };
    const fairShare: OrderRun[] = [];
    for (let n = 0; n < params.repetitions; n++) fairShare.push(await measureOrder(shared, params, 'fair-share'));
    return { 'fair-share': fairShare, severity: [await measureOrder(shared, params, 'severity')] };
  } finally {
    await redis.quit();
    await receiver.close();
    await emulators.close();
  }
}
