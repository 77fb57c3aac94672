import { IpenrichError } from '../errors.js';

/** How often a delivery past its grace asks whether another job wants its slot (answers stand 10 ms per process). */
const CHECK_EVERY_MS = 50;

export interface SlotYield {
  /** Aborted, with an IpenrichError as its reason, once the slot is given up. */
  readonly signal: AbortSignal;
  stop(): void;
}

/**
 * Gives a job's worker slot up to other work while a slow destination keeps it: once `graceMs` have
 * passed, and whenever another job waits for a slot, the deliveries are aborted and the job is retried
 * on the sink backoff, served after new alerts. Without it, one tenant's receiver that never answers
 * (or a callback URL it chose) held a slot for every attempt's full timeout, in-process retries included,
 * and a few dozen such alerts stalled every tenant's alerts for as long as the receiver hung.
 * A destination that is only slow still gets its result: it keeps the slot whenever nobody else wants it.
 */
export function yieldSlotWhenWanted(slotWanted: () => Promise<boolean>, graceMs: number): SlotYield {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = (): void => {
    timer = undefined;
    slotWanted().then(
      (wanted) => {
        if (stopped) return;
        if (!wanted) {
          timer = setTimeout(check, CHECK_EVERY_MS);
          return;
        }
        const reason = new IpenrichError(
          'SINK_UNAVAILABLE',
          `no answer within ${graceMs} ms while other alerts waited for a worker slot; the delivery is retried later (SINK_SLOT_YIELD_MS)`,
        );
        controller.abort(reason);
      },
      // Redis unreachable: nothing to learn about other work; the delivery keeps its slot.
      () => {
        if (!stopped) timer = setTimeout(check, CHECK_EVERY_MS);
      },
    );
  };
  timer = setTimeout(check, graceMs);
  return {
    signal: controller.signal,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
