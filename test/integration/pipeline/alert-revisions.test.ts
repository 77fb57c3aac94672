import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { createRedisAlertRevisions } from '../../../src/state/alert-revisions.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

/** A QRadar-style offense: the id is the alert's own; the rest may change between sends. */
const offense = (id: number, sourceIp: string) => ({ id, offense_source: sourceIp, description: 'Port scan', severity: 7 });

describe('alert identity: (tenant, format, alert id) plus a digest of the content', () => {
  const prefix = uniquePrefix('revisions');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let queue: AlertsQueue;
  let options: Parameters<typeof acceptAlerts>[2];

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
    queue = createAlertsQueue(redis.duplicate(), keys);
    options = { defaultTenant: 'contoso', attempts: 3, revisions: createRedisAlertRevisions(redis, keys) };
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await cleanup();
  });

  it('recognises the same alert sent again, and enriches different content under the same id as a new revision that names the one it replaces', async () => {
    const [first] = await acceptAlerts(queue, [{ alert: offense(4711, '203.0.113.9') }], options);
    const [again] = await acceptAlerts(queue, [{ alert: offense(4711, '203.0.113.9') }], options);
    expect(again).toMatchObject({ jobId: first?.jobId, duplicate: true });

    const [changed] = await acceptAlerts(queue, [{ alert: offense(4711, '198.51.100.7') }], options);
    expect(changed?.duplicate).toBe(false);
    expect(changed?.jobId).not.toBe(first?.jobId);
    expect(changed?.alertId).toBe(first?.alertId);
    const firstJob = await queue.getJob(first?.jobId ?? '');
    const changedJob = await queue.getJob(changed?.jobId ?? '');
    expect(firstJob?.data.replaces).toBeUndefined();
    expect(changedJob?.data.replaces).toBe(firstJob?.data.digest);
    expect(changedJob?.data.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('lets no sender suppress another\'s alert: the same id from another tenant is its own alert', async () => {
    const [mine] = await acceptAlerts(queue, [{ alert: offense(99, '192.0.2.1'), tenant: 'contoso' }], options);
    const [theirs] = await acceptAlerts(queue, [{ alert: offense(99, '192.0.2.1'), tenant: 'fabrikam' }], options);
    expect(theirs?.duplicate).toBe(false);
    expect(theirs?.jobId).not.toBe(mine?.jobId);
    expect((await queue.getJob(theirs?.jobId ?? ''))?.data.replaces).toBeUndefined();
  });
});
