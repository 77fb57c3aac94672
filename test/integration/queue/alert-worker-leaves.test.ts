import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createAlertWorker } from '../../../src/queue/alert-worker.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { SEVERITIES } from '../../../src/queue/priority.js';
import { duplicateWithoutAutoPipelining, type Redis } from '../../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../../src/redis/keys.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

const TENANT = 'leaves';

function alert(id: string): unknown {
  return { '@timestamp': '2026-12-05T10:00:00Z', event: { id, kind: 'alert', severity: 'medium' }, related: { ip: ['203.0.113.7'] } };
}

describe('the alert worker: finished jobs leave their tenant’s pending set (real Redis, real BullMQ)', () => {
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let keys: KeySpace;
  let queue: AlertsQueue;

  beforeAll(async () => {
    const prefix = uniquePrefix('leaves');
    ({ redis, cleanup } = await connectTestRedis(prefix));
    keys = keySpace(prefix);
    queue = createAlertsQueue(redis, keys);
  });
  afterAll(async () => {
    await queue.close();
    await cleanup();
  });

  const pendingCount = async (): Promise<number> => {
    const counts = await Promise.all(SEVERITIES.map((severity) => redis.zcard(keys.pendingJobs(TENANT, severity))));
    return counts.reduce((sum, count) => sum + count, 0);
  };

  it('holds the leaves of finished jobs for a batch, and sends them when the worker closes', async () => {
    const accepted = await acceptAlerts(queue, ['a', 'b', 'c'].map((id) => ({ alert: alert(`leave-${id}`), tenant: TENANT })), { defaultTenant: TENANT, attempts: 1 });
    expect(accepted).toHaveLength(3);
    expect(await pendingCount()).toBe(3);

    const connection = duplicateWithoutAutoPipelining(redis);
    const alertWorker = createAlertWorker<null>({
      connection,
      redis,
      keys,
      handle: () => Promise.resolve({ kind: 'done', result: null }),
      logger: createLogger({ level: 'silent' }),
      // A batch interval no test reaches: only the close can send the leaves.
      options: { concurrency: 2, lockMs: 30_000, leaveBatchMs: 3_600_000 },
    });
    try {
      await waitFor('the three jobs to complete', async () => (await queue.getCompletedCount()) === 3, 20_000);
      expect(await pendingCount()).toBe(3);
    } finally {
      await alertWorker.close(Date.now() + 10_000);
      await connection.quit();
    }
    expect(await pendingCount()).toBe(0);
  });
});
