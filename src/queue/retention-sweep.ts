import type { Logger } from '../log.js';
import { KEEP_COMPLETED, KEEP_FAILED, type AlertsQueue } from './alerts-queue.js';

/** Jobs removed per Lua call: a bounded pause for Redis, however many jobs are past their time. */
const BATCH = 1_000;
const HOUR_MS = 3_600_000;

export interface Retention {
  /** How long a completed job, and a failed one, is kept after it finished. */
  readonly completedMs: number;
  readonly failedMs: number;
}

/** The retention the producer gives every job (removeOnComplete, removeOnFail). */
const JOB_RETENTION: Retention = { completedMs: KEEP_COMPLETED.age * 1000, failedMs: KEEP_FAILED.age * 1000 };

/**
 * Removes the finished jobs past their retention, a batch at a time. BullMQ applies a job's
 * `removeOnComplete`/`removeOnFail` age only when another job finishes the same way ("BullMQ does
 * not run a background timer to evict aged jobs": docs.bullmq.io/api/types/v6.KeepJobs.html;
 * taskforcesh/bullmq#1353), so on a quiet queue, or with failures rare, jobs (and the alerts in
 * them) would stay well past the retention the documentation promises.
 */
export async function sweepExpiredJobs(queue: AlertsQueue, retention: Retention): Promise<{ completed: number; failed: number }> {
  const removed = { completed: 0, failed: 0 };
  for (const [state, graceMs] of [['completed', retention.completedMs], ['failed', retention.failedMs]] as const) {
    for (;;) {
      const ids = await queue.clean(graceMs, BATCH, state);
      removed[state] += ids.length;
      if (ids.length < BATCH) break;
    }
  }
  return removed;
}

export interface RetentionSweep {
  stop(): void;
}

/**
 * Sweeps a minute after the start, then every hour. Every worker process runs one: removing a job
 * is idempotent, and a sweep costs a few Redis calls when nothing is due.
 */
export function startRetentionSweep(queue: AlertsQueue, logger: Logger, { everyMs = HOUR_MS, retention = JOB_RETENTION } = {}): RetentionSweep {
  let timer: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    try {
      const removed = await sweepExpiredJobs(queue, retention);
      if (removed.completed + removed.failed > 0) logger.info(removed, 'removed finished jobs past their retention');
    } catch (error) {
      // Redis down or closing: the next sweep does it.
      logger.debug({ err: error }, 'could not remove finished jobs past their retention');
    }
  };
  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      void run().then(() => {
        if (timer !== undefined) schedule(everyMs);
      });
    }, delayMs).unref();
  };
  schedule(Math.min(60_000, everyMs));
  return {
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
