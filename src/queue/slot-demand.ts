import type { Redis } from '../redis/connection.js';
import type { AlertsQueue } from './alerts-queue.js';

/**
 * How long one answer stands in a process: a starved backlog would otherwise ask once per refusal.
 * Short, as it adds to how long an alert that just arrived waits for a slot a waiting miss holds.
 */
const MEMO_MS = 10;

/**
 * Whether any job waits for a worker slot: BullMQ's wait list or prioritized set is not empty. A job
 * the budget cannot serve at once waits for it inside its slot only while nobody else wants the slot;
 * otherwise it is deferred to its wake-up slot, so one tenant's starved backlog never holds the slots
 * another tenant's alerts are waiting for.
 */
export function createSlotDemand(redis: Redis, queue: Pick<AlertsQueue, 'keys'>, now: () => number = Date.now): () => Promise<boolean> {
  // BullMQ's own key names for the queue (as metrics/queue-age.ts reads them), not rebuilt by hand.
  const wait = queue.keys.wait ?? '';
  const prioritized = queue.keys.prioritized ?? '';
  let memo: { readonly at: number; readonly answer: Promise<boolean> } | undefined;
  return () => {
    const at = now();
    if (memo && at - memo.at < MEMO_MS) return memo.answer;
    const answer = Promise.all([redis.llen(wait), redis.zcard(prioritized)]).then(([waiting, ranked]) => waiting + ranked > 0);
    // A failed check must not stick: the next caller asks again.
    answer.catch(() => (memo = undefined));
    memo = { at, answer };
    return answer;
  };
}
