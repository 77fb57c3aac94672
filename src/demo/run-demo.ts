import { randomBytes } from 'node:crypto';
import { startEmulators, type Emulators } from '../emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../emulators/webhook-receiver.js';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config/load.js';
import { IpenrichError } from '../errors.js';
import { createLogger } from '../log.js';
import { acceptAlerts } from '../pipeline/intake.js';
import { startLocalRedis, type LocalRedis } from '../redis/local-server.js';
import type { AlertResult } from '../result/schema.js';
import { readStoredResult } from '../state/job-record.js';
import { openRuntime, type Runtime } from '../composition/runtime.js';
import { startWorker, type StartedWorker } from '../composition/start-worker.js';
import { ProgressBar } from './progress-bar.js';
import { renderSummaryTable, type SummaryRow } from './summary-table.js';

/** What the demo touches of the command's streams: it prints progress and reads REDIS_URL and LOG_LEVEL. */
export interface DemoIo {
  readonly stdout: Writable;
  readonly env: NodeJS.ProcessEnv;
}

const POLL_MS = 100;
const DEMO_TIMEOUT_MS = 120_000;

interface Started {
  redis?: LocalRedis;
  emulators?: Emulators;
  receiver?: WebhookReceiver;
  runtime?: Runtime;
  worker?: StartedWorker;
}

async function stopAll(started: Started): Promise<void> {
  await started.worker?.close(5_000);
  await started.runtime?.close();
  await started.receiver?.close();
  await started.emulators?.close();
  await started.redis?.stop();
}

/**
 * Starts everything the pipeline needs on this machine, enriches `alerts` end to end (queue → worker
 * → Defender emulator → signed webhook), and prints what an analyst would see.
 */
export async function runDemo(alerts: readonly { name: string; alert: unknown }[], io: DemoIo, options: { secret: string }): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const started: Started = {};
  try {
    let redisUrl = io.env.REDIS_URL;
    if (redisUrl) say(`Using Redis at REDIS_URL.`);
    else {
      try {
        started.redis = await startLocalRedis();
      } catch (error) {
        throw new IpenrichError('REDIS_UNAVAILABLE', (error as Error).message);
      }
      redisUrl = started.redis.url;
      say(`Started redis-server on port ${started.redis.port}.`);
    }
    started.emulators = await startEmulators();
    started.receiver = await startWebhookReceiver({ secret: options.secret });
    say(`Started the Entra ID and Defender emulators (${started.emulators.defender.url}) and a webhook receiver (${started.receiver.url}).`);

    const env: NodeJS.ProcessEnv = {
      ...started.emulators.env,
      REDIS_URL: redisUrl,
      IPENRICH_PREFIX: `ipenrich-demo-${randomBytes(4).toString('hex')}`,
      SINKS: 'webhook',
      WEBHOOK_URL: `${started.receiver.url}/ipenrich`,
      WEBHOOK_SECRET: options.secret,
      LOG_LEVEL: io.env.LOG_LEVEL ?? 'error',
    };
    const config = loadConfig(env);
    started.runtime = await openRuntime(env, { config, logger: createLogger({ level: config.LOG_LEVEL }), waitForRedis: true });
    started.worker = await startWorker(started.runtime);

    const jobs = await acceptAlerts(started.runtime.queue, alerts.map(({ alert }) => ({ alert })), {
      defaultTenant: config.IPENRICH_DEFAULT_TENANT,
      attempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
    });
    const distinct = [...new Set(jobs.map((job) => job.jobId))];
    const duplicates = jobs.length - distinct.length;
    say(`Queued ${distinct.length} alerts from ${jobs.length} samples${duplicates > 0 ? ` (${duplicates} share an alert id with another sample and are enriched once)` : ''}; a worker is enriching them.\n`);

    const bar = new ProgressBar(io.stdout, distinct.length);
    const deadline = Date.now() + DEMO_TIMEOUT_MS;
    const finished = new Map<string, { result: AlertResult | null; failure?: string }>();
    while (finished.size < distinct.length) {
      if (Date.now() > deadline) throw new IpenrichError('INTERNAL', `demo did not finish within ${DEMO_TIMEOUT_MS / 1000} s`);
      for (const jobId of distinct) {
        if (finished.has(jobId)) continue;
        const state = await started.runtime.queue.getJobState(jobId);
        if (state === 'completed') {
          // Kept in the job's record before the job completes.
          const result = await readStoredResult(started.runtime.redis, started.runtime.keys, jobId);
          finished.set(jobId, result ? { result } : { result: null, failure: 'completed, but its result is not in its record' });
        } else if (state === 'failed') {
          finished.set(jobId, { result: null, failure: (await started.runtime.queue.getJob(jobId))?.failedReason ?? 'failed' });
        }
      }
      bar.update(finished.size, `${started.emulators.defender.counters.totalCalls} Defender calls`);
      if (finished.size < distinct.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    bar.finish();

    const firstName = new Map<string, string>();
    const rows: SummaryRow[] = jobs.map((job, index) => {
      const name = alerts[index]?.name ?? job.alertId;
      const first = firstName.get(job.jobId);
      if (first !== undefined) return { name, result: null, sameAs: first };
      firstName.set(job.jobId, name);
      return { name, ...(finished.get(job.jobId) ?? { result: null, failure: 'unknown' }) };
    });
    say(`\n${renderSummaryTable(rows)}\n`);
    const results = [...finished.values()].flatMap((done) => (done.result ? [done.result] : []));
    const ips = results.reduce((sum, result) => sum + result.ips.length, 0);
    const looked = results.reduce((sum, result) => sum + result.summary.counts.enriched + result.summary.counts.not_seen, 0);
    const failed = distinct.length - results.length;
    const counters = started.emulators.defender.counters;
    say(`${results.length}/${distinct.length} alerts enriched: ${ips} IPs found, ${looked} answered by Defender with ${counters.totalCalls} API calls (${counters.throttled} throttled; the rest came from the cache).`);
    say(`Webhook receiver: ${started.receiver.counters.accepted} signed results accepted, ${started.receiver.counters.rejectedSignatures} bad signatures.`);
    return failed === 0 ? 0 : 1;
  } finally {
    await stopAll(started);
  }
}
