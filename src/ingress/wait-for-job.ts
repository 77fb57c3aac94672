import { Job, type QueueEvents } from 'bullmq';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { AlertJob } from './job-view.js';

export type WaitOutcome =
  | { readonly kind: 'finished'; readonly job: AlertJob }
  | { readonly kind: 'pending' }
  | { readonly kind: 'missing' };

export interface JobWaiter {
  /**
   * Waits until the job completes or fails for good (BullMQ emits `failed` only then; retries and
   * budget deferrals move the job to delayed), at most `timeoutMs`, or until `signal` aborts (the
   * caller hung up). A job that already finished (the same alert sent again) answers at once.
   */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
}

/**
 * One listener per event kind on the shared QueueEvents stream, dispatching to the requests that
 * wait for that job id: many concurrent synchronous requests cost a map lookup per event.
 */
export function createJobWaiter(queue: AlertsQueue, events: QueueEvents): JobWaiter {
  const waiting = new Map<string, Set<() => void>>();
  const wake = ({ jobId }: { jobId: string }): void => {
    for (const notify of waiting.get(jobId) ?? []) notify();
  };
  events.on('completed', wake);
  events.on('failed', wake);

  async function finishedJob(jobId: string): Promise<WaitOutcome | undefined> {
    const job = (await Job.fromId(queue, jobId)) as AlertJob | undefined;
    if (!job) return { kind: 'missing' };
    return (await job.isCompleted()) || (await job.isFailed()) ? { kind: 'finished', job } : undefined;
  }

  return {
    async wait(jobId, timeoutMs, signal) {
      let resolveOutcome: (outcome: WaitOutcome) => void = () => undefined;
      let rejectOutcome: (error: unknown) => void = () => undefined;
      const outcome = new Promise<WaitOutcome>((resolve, reject) => {
        resolveOutcome = resolve;
        rejectOutcome = reject;
      });
      const onEvent = (): void => {
        finishedJob(jobId).then((found) => resolveOutcome(found ?? { kind: 'pending' }), rejectOutcome);
      };
      const onTimeout = (): void => resolveOutcome({ kind: 'pending' });

      const listeners = waiting.get(jobId) ?? new Set();
      listeners.add(onEvent);
      waiting.set(jobId, listeners);
      signal?.addEventListener('abort', onTimeout);
      const timer = setTimeout(onTimeout, timeoutMs);
      try {
        // Listen first, then look: a job finishing in between is seen by one or the other.
        await events.waitUntilReady();
        const already = await finishedJob(jobId);
        if (already) resolveOutcome(already);
        return await outcome;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onTimeout);
        listeners.delete(onEvent);
        if (listeners.size === 0) waiting.delete(jobId);
      }
    },
  };
}
