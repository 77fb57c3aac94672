import type { PendingJob, PendingJobs } from './pending-jobs.js';

/**
 * How long a finished job may still count among its tenant's pending ones. Its only effect is on the
 * rank of an alert its tenant enqueues meanwhile (one place later at most per job), and it turns a
 * command per alert into one per pending set per interval (bench throughput, --cpu-prof).
 */
const FLUSH_MS = 20;

/**
 * Finished jobs leave their tenants' pending jobs in batches. A leave this loses (Redis down, process
 * gone) only leaves a member behind, which the self-healing at a later enqueue removes (pending-jobs.ts).
 */
export class PendingLeaves {
  #batch: PendingJob[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pending: PendingJobs,
    private readonly onError: (error: unknown, jobs: number) => void,
    private readonly flushMs = FLUSH_MS,
  ) {}

  add(job: PendingJob): void {
    this.#batch.push(job);
    this.#timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Sends the batch now; resolves once it and every earlier one are answered (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const jobs = this.#batch.splice(0);
    if (jobs.length > 0) {
      const sent = this.pending.leave(...jobs).catch((error: unknown) => this.onError(error, jobs.length));
      this.#flushing = Promise.all([this.#flushing, sent]).then(() => undefined);
    }
    return this.#flushing;
  }
}
