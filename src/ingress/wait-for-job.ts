import type { QueueEvents } from 'bullmq';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import { readJobIn, type FoundJob, type JobRecords } from './job-view.js';

type FinishedState = 'completed' | 'failed';

type WaitOutcome =
  | ({ readonly kind: 'finished' } & FoundJob)
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
export function createJobWaiter(queue: AlertsQueue, events: QueueEvents, results: JobRecords): JobWaiter {
  const waiting = new Map<string, Set<(state: FinishedState) => void>>();
  const wake = (state: FinishedState) => ({ jobId }: { jobId: string }): void => {
    for (const notify of waiting.get(jobId) ?? []) notify(state);
  };
  events.on('completed', wake('completed'));
  events.on('failed', wake('failed'));

  /** The job and its result in one round trip; its state comes from the event or from getJobState (a sync request should cost Redis little). */
  async function finished(jobId: string, state: FinishedState): Promise<WaitOutcome> {
    const found = await readJobIn(queue, results, jobId, state);
    return found ? { kind: 'finished', ...found } : { kind: 'missing' };
  }

  return {
    async wait(jobId, timeoutMs, signal) {
      let resolveOutcome: (outcome: WaitOutcome) => void = () => undefined;
      let rejectOutcome: (error: unknown) => void = () => undefined;
      const outcome = new Promise<WaitOutcome>((resolve, reject) => {
        resolveOutcome = resolve;
        rejectOutcome = reject;
      });
      const onEvent = (state: FinishedState): void => {
        finished(jobId, state).then(resolveOutcome, rejectOutcome);
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
        const state = await queue.getJobState(jobId);
        if (state === 'unknown') resolveOutcome({ kind: 'missing' });
        else if (state === 'completed' || state === 'failed') resolveOutcome(await finished(jobId, state));
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
