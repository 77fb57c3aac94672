import type { Job } from 'bullmq';
import { CompletingWorker, type CompleteWith } from './completing-worker.js';

/**
 * A BullMQ worker that knows which jobs it holds: from the moment it starts one until BullMQ has
 * written its outcome to Redis (or given up on it, e.g. after losing the lock). A handler that
 * returned is not enough: with Redis down its completion waits, and the job is still this
 * worker's. Shutdown reads this to tell a clean drain from jobs left to stalled-job recovery.
 */
export class TrackingWorker<DataType> extends CompletingWorker<DataType> {
  readonly #held = new Set<string>();
  #idle: (() => void)[] = [];

  /** Ids of the jobs held now. */
  heldJobs(): string[] {
    return [...this.#held];
  }

  /** Resolves once no job is held (at once when none is). */
  whenNoneHeld(): Promise<void> {
    if (this.#held.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  override async processJob(job: Job<DataType, CompleteWith | undefined>, token: string, fetchNextCallback?: () => boolean): Promise<void | Job<DataType, CompleteWith | undefined>> {
    if (job.id !== undefined) this.#held.add(job.id);
    try {
      const next = await super.processJob(job, token, fetchNextCallback);
      // BullMQ may take the next job along with a completion: it holds that one from now on.
      if (next?.id !== undefined) this.#held.add(next.id);
      return next;
    } finally {
      if (job.id !== undefined) this.#held.delete(job.id);
      if (this.#held.size === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  }
}
