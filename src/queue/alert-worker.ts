import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { IpenrichError, toIpenrichError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PipelineMetrics } from '../metrics/shared-metrics.js';
import { runPipeline, type PipelineDeps, type PipelineOutcome } from '../pipeline.js';
import type { Redis } from '../redis/connection.js';
import { isConnectionError } from '../redis/connection-watch.js';
import type { KeySpace } from '../redis/keys.js';
import type { AlertResult } from '../result/schema.js';
import { DeliveryState } from '../sinks/delivery-state.js';
import { deliverToTargets, type DeliveryTarget } from '../sinks/fan-out.js';
import { SinkHealthBoard } from '../sinks/sink-health.js';
import { ALERTS_QUEUE } from './alerts-queue.js';
import { decideForDeliveries, decideForError, type JobDecision, type SinkRetryPolicy } from './job-decision.js';
import { alertJobSchema, type AlertJobData } from './job.js';
import { SINK_RETRY_PRIORITY } from './priority.js';

export interface AlertWorkerOptions {
  readonly concurrency: number;
  readonly lockMs: number;
  /** Longest wait for budget inside a slot; beyond it the job is deferred to `delayed`. */
  readonly budgetWaitMs: number;
  /** After this long since the alert was queued, deliver a partial result instead of deferring again. */
  readonly maxDeferMs: number;
  readonly sinkRetry: SinkRetryPolicy;
}

export interface AlertWorkerDeps {
  readonly connection: Redis;
  readonly stateRedis: Redis;
  readonly keys: KeySpace;
  readonly pipeline: PipelineDeps;
  readonly targetsFor: (job: AlertJobData) => DeliveryTarget[];
  readonly logger: Logger;
  readonly options: AlertWorkerOptions;
  readonly now?: () => number;
  /** Shared counters (src/metrics): deliveries per sink and outcome, job latency. */
  readonly metrics?: PipelineMetrics;
}

export interface AlertWorker {
  readonly worker: Worker<AlertJobData, AlertResult>;
  /**
   * Stops taking jobs, lets active ones finish within `timeoutMs`, then stops waiting for them.
   * Resolves true when jobs were still active: their locks expire and another worker takes them
   * over, so the caller should end the process instead of finishing their abandoned calls.
   */
  close(timeoutMs: number): Promise<boolean>;
}

/** BullMQ's answer when a job's lock expired meanwhile: the job is not lost, another worker retakes it. */
function isLockLost(error: Error): boolean {
  return /missing lock|lock mismatch|could not renew lock/i.test(error.message);
}

/** The one place where errors become BullMQ outcomes. Always throws. */
async function apply(decision: JobDecision, job: Job<AlertJobData>, token: string | undefined, logger: Logger): Promise<never> {
  const log = { jobId: job.id, alertId: job.data.alertId, reason: decision.reason };
  switch (decision.kind) {
    case 'delay':
      // Debug: while the budget is exhausted every queued alert is deferred again and again; the
      // counts are in `status` and /metrics (limiter waits), not worth a line each.
      logger.debug({ ...log, until: new Date(decision.until).toISOString() }, 'job deferred');
      await job.moveToDelayed(decision.until, token);
      throw new DelayedError(decision.reason);
    case 'fail':
      logger.warn(log, 'job failed permanently');
      throw new UnrecoverableError(decision.reason);
    case 'retry':
      logger.warn({ ...log, attempt: job.attemptsMade + 1 }, 'job will be retried');
      throw new Error(decision.reason);
  }
}

export function createAlertWorker(deps: AlertWorkerDeps): AlertWorker {
  const now = deps.now ?? Date.now;
  const { logger, options } = deps;
  const health = new SinkHealthBoard(deps.stateRedis, deps.keys);

  let active = 0;
  let onIdle: (() => void) | undefined;

  async function processCounted(job: Job<AlertJobData>, token?: string): Promise<AlertResult> {
    active += 1;
    try {
      return await processJob(job, token);
    } finally {
      active -= 1;
      if (active === 0) onIdle?.();
    }
  }

  async function processJob(job: Job<AlertJobData>, token?: string): Promise<AlertResult> {
    const parsed = alertJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`).join('; ');
      return await apply(decideForError(new IpenrichError('JOB_INVALID', reason), now()), job, token, logger);
    }
    const data = parsed.data;
    const jobId = job.id ?? data.alertId;
    const state = new DeliveryState(deps.stateRedis, deps.keys, jobId);

    let result = await state.loadResult();
    if (!result) {
      const started = now();
      const attempts = job.opts.attempts ?? 1;
      let outcome: PipelineOutcome;
      try {
        outcome = await runPipeline(data, deps.pipeline, {
          deadline: started + options.budgetWaitMs,
          partialAllowed: started - job.timestamp >= options.maxDeferMs,
          finalAttempt: job.attemptsMade + 1 >= attempts,
        });
      } catch (thrown) {
        return await apply(decideForError(toIpenrichError(thrown), now()), job, token, logger);
      }
      if (outcome.kind === 'defer') {
        return await apply({ kind: 'delay', until: outcome.until, reason: `BUDGET_DEFERRED: ${outcome.deferredIps} IP(s) wait for API budget` }, job, token, logger);
      }
      result = outcome.result;
      await state.saveResult(result);
    }

    const report = await deliverToTargets(result, deps.targetsFor(data), state, { jobId, now, health });
    for (const name of report.delivered) deps.metrics?.delivery(name, 'delivered');
    for (const failure of report.failed) deps.metrics?.delivery(failure.name, failure.error.code);
    const decision = decideForDeliveries(report.failed, now(), options.sinkRetry);
    if (decision) {
      logger.warn({ jobId, delivered: report.delivered, failed: report.failed.map((f) => f.name) }, 'some deliveries failed');
      if (decision.kind === 'delay') await job.changePriority({ priority: SINK_RETRY_PRIORITY });
      return await apply(decision, job, token, logger);
    }
    logger.info({ jobId, alertId: data.alertId, tenant: data.tenant, summary: result.summary.text, delivered: report.delivered }, 'alert enriched');
    deps.metrics?.jobCompleted(now() - job.timestamp, result.partial ? 'partial' : 'complete');
    return result;
  }

  const worker = new Worker<AlertJobData, AlertResult>(ALERTS_QUEUE, processCounted, {
    connection: deps.connection,
    prefix: deps.keys.queuePrefix,
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    maxStalledCount: 3,
    autorun: true,
  });
  worker.on('error', (error) => {
    // BullMQ repeats a connection failure on every reconnect attempt; the runtime's connection
    // watch reports the outage once per change of state.
    if (isConnectionError(error)) logger.debug({ err: error }, 'worker connection error');
    else if (isLockLost(error)) logger.warn({ err: error }, 'job lock lost (Redis outage or stall): another worker takes the job over');
    else logger.error({ err: toIpenrichError(error) }, 'worker error');
  });
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof DelayedError)) logger.debug({ jobId: job.id, reason: error.message }, 'job attempt failed');
  });

  return {
    worker,
    async close(timeoutMs) {
      // Pause first: close() would wait for active jobs without limit, and a later close(true)
      // would only return that same promise.
      await worker.pause(true);
      let timer: NodeJS.Timeout | undefined;
      const drained = new Promise<'closed'>((resolve) => {
        if (active === 0) resolve('closed');
        else onIdle = () => resolve('closed');
      });
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (outcome === 'closed') {
        await worker.close();
        return false;
      }
      // Active jobs keep their lock until it expires, then another worker picks them up.
      logger.warn({ timeoutMs }, 'shutdown timeout: handing active jobs back');
      await worker.close(true);
      return true;
    },
  };
}

