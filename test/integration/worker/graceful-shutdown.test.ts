import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../../src/errors.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { spawnCli, waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('worker shutdown on SIGTERM', () => {
  const prefix = uniquePrefix('shutdown');
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let emulators: Emulators;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let queue: AlertsQueue;

  beforeAll(async () => {
    // Slow answers keep jobs active when the signal arrives.
    emulators = await startEmulators({ defender: { mode: { latencyMs: 1_500 } } });
    receiver = await startWebhookReceiver({ secret });
    redis = createRedis(testRedisUrl());
    queue = createAlertsQueue(redis, keySpace(prefix));
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
    await receiver.close();
    await emulators.close();
  });

  it('stops taking jobs, finishes the active ones, and exits 0', async () => {
    const alerts = Array.from({ length: 6 }, (_, i) => ({ id: `shutdown-${i}`, src_ip: `203.0.113.${i + 20}` }));
    await acceptAlerts(queue, alerts.map((alert) => ({ alert })), { defaultTenant: 'default', attempts: 3 });
    const worker = spawnCli(['worker'], {
      ...emulators.env,
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: prefix,
      SINKS: 'webhook',
      WEBHOOK_URL: `${receiver.url}/hook`,
      WEBHOOK_SECRET: secret,
      WORKER_CONCURRENCY: '2',
      WORKER_SHUTDOWN_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'info',
    });
    await waitFor('two active jobs', async () => (await queue.getActiveCount()) === 2, 30_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    // The two active jobs were finished and delivered; the other four were never taken.
    expect(await queue.getCompletedCount()).toBe(2);
    expect(receiver.deliveries.size).toBe(2);
    expect(await queue.getActiveCount()).toBe(0);
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(4);
    // Where each tenant's results go, as workers resolve it (a tenant may set SINKS of its own).
    expect(worker.output()).toMatch(/"sinks":\{"default":\["webhook"\]\}.*"msg":"worker started"/);
    expect(worker.output()).toMatch(/shutting down: finishing active jobs/);
    expect(worker.output()).toMatch(/worker stopped/);
  }, 90_000);

  it('leaves active jobs to another worker when they outlast the shutdown timeout, and exits 3', async () => {
    await queue.obliterate({ force: true });
    emulators.defender.setMode({ latencyMs: 6_000 });
    const alerts = Array.from({ length: 3 }, (_, i) => ({ id: `handback-${i}`, src_ip: `198.51.100.${i + 40}` }));
    await acceptAlerts(queue, alerts.map((alert) => ({ alert })), { defaultTenant: 'default', attempts: 3 });
    const env = {
      ...emulators.env,
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: prefix,
      SINKS: 'webhook',
      WEBHOOK_URL: `${receiver.url}/hook`,
      WEBHOOK_SECRET: secret,
      WORKER_CONCURRENCY: '3',
      WORKER_SHUTDOWN_TIMEOUT_MS: '300',
      WORKER_LOCK_MS: '2000',
      LOG_LEVEL: 'info',
    };
    const first = spawnCli(['worker'], env);
    await waitFor('three active jobs', async () => (await queue.getActiveCount()) === 3, 30_000);
    first.child.kill('SIGTERM');
    // Not a clean drain: the jobs are left to stalled-job recovery, and the exit code says so.
    expect(await first.exited).toBe(EXIT_CODES.shutdownForced);
    expect(first.output()).toMatch(/"reason":"shutdown timeout".*"leftBehind":3.*"msg":"worker stopped"/);
    expect(await queue.getCompletedCount()).toBe(0);

    emulators.defender.setMode({ latencyMs: 0 });
    const second = spawnCli(['worker'], env);
    try {
      await waitFor('the handed-back jobs to complete', async () => (await queue.getCompletedCount()) === 3, 60_000);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});
