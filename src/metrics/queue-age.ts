import type { AlertsQueue } from '../queue/alerts-queue.js';

/** Jobs read at each end of the prioritized set per scrape: bounds the scrape's cost on a deep backlog. */
export const PRIORITIZED_SAMPLE = 100;

/** Ready states a worker takes jobs from; delayed jobs wait for budget on purpose and are not counted. */
export type ReadyState = 'waiting' | 'prioritized';

/**
 * Age in seconds of the oldest job no worker has taken yet, per ready state (0 when the state is
 * empty), from the job's enqueue time (BullMQ's `timestamp`, kept across budget deferrals).
 *
 * `wait` is a list that BullMQ pushes on the left, so its last entry is the oldest. `prioritized` is
 * ordered by priority: fair share ranks a job among its tenant's pending jobs at enqueue, so a
 * tenant's oldest jobs sit at the front, and sink retries (lowest priority) at the back; both ends
 * are read, which finds the oldest exactly unless a backlog deeper than twice PRIORITIZED_SAMPLE
 * hides it in the middle (then the gauge is a lower bound).
 */
export async function oldestReadyJobAges(queue: Pick<AlertsQueue, 'redis' | 'keys' | 'toKey'>, now: number): Promise<Record<ReadyState, number>> {
  const client = queue.redis;
  const [oldestWaiting, head, tail] = await Promise.all([
    client.lrange(queue.keys.wait ?? '', -1, -1),
    client.zrange(queue.keys.prioritized ?? '', '0', String(PRIORITIZED_SAMPLE - 1)),
    client.zrange(queue.keys.prioritized ?? '', String(-PRIORITIZED_SAMPLE), '-1'),
  ]);
  const ageOf = async (ids: readonly string[]): Promise<number> => {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return 0;
    const stamps = await Promise.all(unique.map((id) => client.hget(queue.toKey(id), 'timestamp')));
    const oldest = Math.min(...stamps.map((stamp) => (stamp === null ? now : Number(stamp))));
    return Math.max(0, (now - oldest) / 1000);
  };
  const [waiting, prioritized] = await Promise.all([ageOf(oldestWaiting), ageOf([...head, ...tail])]);
  return { waiting, prioritized };
}
