import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oldestReadyJobAges, PRIORITIZED_SAMPLE } from '../../../src/metrics/queue-age.js';
import { ALERTS_QUEUE, createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { SINK_RETRY_PRIORITY } from '../../../src/queue/priority.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

describe('the age of the oldest job no worker has taken (real Redis, BullMQ queue)', () => {
  const prefix = uniquePrefix('queue-age');
  const now = Date.UTC(2026, 11, 5, 12, 0, 0);
  let redis: Redis;
  let cleanup: () => Promise<void>;
  // Jobs go in through a plain BullMQ queue (any payload); the gauge reads through ipenrich's own.
  let queue: Queue;
  let alerts: AlertsQueue;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
    queue = new Queue(ALERTS_QUEUE, { connection: redis, prefix: keySpace(prefix).queuePrefix });
    alerts = createAlertsQueue(redis, keySpace(prefix));
  });
  afterAll(async () => {
    await queue.close();
    await alerts.close();
    await cleanup();
  });

  it('is 0 for an empty queue', async () => {
    expect(await oldestReadyJobAges(alerts, now)).toEqual({ waiting: 0, prioritized: 0 });
  });

  it('finds the oldest waiting job, and the oldest prioritized one at either end of a deep backlog', async () => {
    await queue.add('alert', {}, { timestamp: now - 60_000 });
    await queue.add('alert', {}, { timestamp: now - 10_000 });
    // Fair share: a tenant's oldest job has the front rank; a sink retry goes to the back.
    await queue.add('alert', {}, { priority: 1, timestamp: now - 5_000 });
    await queue.addBulk(Array.from({ length: 3 * PRIORITIZED_SAMPLE }, () => ({ name: 'alert', data: {}, opts: { priority: 50, timestamp: now - 1_000 } })));
    // The worker moves a job whose sinks must retry behind everything else (alert-worker.ts).
    const retry = await queue.add('alert', {}, { priority: 1, timestamp: now - 300_000 });
    await retry.changePriority({ priority: SINK_RETRY_PRIORITY });
    expect(await oldestReadyJobAges(alerts, now)).toEqual({ waiting: 60, prioritized: 300 });
    // Delayed jobs wait for budget on purpose: not counted.
    await queue.add('alert', {}, { delay: 60_000, timestamp: now - 900_000 });
    expect(await oldestReadyJobAges(alerts, now)).toEqual({ waiting: 60, prioritized: 300 });
  });
});
