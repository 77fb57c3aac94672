import { Queue } from 'bullmq';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { AlertJobData } from './job.js';

export const ALERTS_QUEUE = 'alerts';
export const ALERT_JOB_NAME = 'alert';

/**
 * The queue, with the connection and key space it was opened on: the producer keeps each tenant's
 * pending jobs beside it (pending-jobs.ts) for fair-share priority.
 */
export class AlertsQueue extends Queue<AlertJobData> {
  constructor(
    readonly redis: Redis,
    readonly keySpace: KeySpace,
  ) {
    super(ALERTS_QUEUE, { connection: redis, prefix: keySpace.queuePrefix });
  }
}

/** Completed jobs are kept a day so that the same alert enqueued again is recognised and not re-enriched. */
export const KEEP_COMPLETED = { age: 86_400, count: 100_000 } as const;
/** Failed jobs are the dead-letter queue: kept a week for `ipenrich dlq`. */
export const KEEP_FAILED = { age: 7 * 86_400 } as const;

export function createAlertsQueue(connection: Redis, keys: KeySpace): AlertsQueue {
  return new AlertsQueue(connection, keys);
}
