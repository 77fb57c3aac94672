import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';
import { ALERTS_QUEUE } from './alerts-queue.js';
import { SEVERITIES, severityOf } from './priority.js';

/** A job as the fair-share bookkeeping sees it. */
export interface PendingJob {
  readonly jobId: string;
  readonly tenant: string;
  readonly severity: string | null;
}

/**
 * How long a member may wait for its job to appear in BullMQ before the self-healing may take it
 * for leaked: far longer than the step between ranking and `addBulk` in one enqueue.
 */
const JOIN_GRACE_MS = 60_000;

/**
 * Each tenant's pending jobs per severity, in Redis beside the queue: what fair-share priority is
 * computed from. A job joins when it is queued and leaves when it is done for good (completed,
 * failed permanently, or waiting only for a down sink); deferrals and retries stay pending.
 */
export class PendingJobs {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeySpace,
    /** Epoch ms; tests inject time to age members past the grace. Default: Redis TIME. */
    private readonly now?: () => number,
  ) {}

  /** Counts the job among its tenant's pending ones (at most once) and returns its rank, 1 first. */
  async join(job: PendingJob): Promise<number> {
    const [high, medium, low, informational] = SEVERITIES.map((severity) => this.keys.pendingJobs(job.tenant, severity)) as [string, string, string, string];
    return await redisScripts(this.redis).ipenrichPendingRank(
      high,
      medium,
      low,
      informational,
      this.keys.queueJob(ALERTS_QUEUE, job.jobId),
      job.jobId,
      SEVERITIES.indexOf(severityOf(job.severity)) + 1,
      this.keys.queueJob(ALERTS_QUEUE, ''),
      JOIN_GRACE_MS,
      this.now ? this.now() * 1000 : '',
    );
  }

  /** How many jobs the tenant has pending, all severities. */
  async count(tenant: string): Promise<number> {
    const counts = await Promise.all(SEVERITIES.map((severity) => this.redis.zcard(this.keys.pendingJobs(tenant, severity))));
    return counts.reduce((total, count) => total + count, 0);
  }

  /** Removes the jobs from their tenants' pending ones: one ZREM per pending set, sent in one tick. */
  async leave(...jobs: PendingJob[]): Promise<void> {
    const bySet = new Map<string, string[]>();
    for (const job of jobs) {
      const key = this.keys.pendingJobs(job.tenant, severityOf(job.severity));
      const members = bySet.get(key);
      if (members) members.push(job.jobId);
      else bySet.set(key, [job.jobId]);
    }
    await Promise.all([...bySet].map(([key, members]) => this.redis.zrem(key, ...members)));
  }
}
