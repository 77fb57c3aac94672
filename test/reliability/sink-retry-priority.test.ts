import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAlerts } from '../../src/pipeline/intake.js';
import { openRuntime, type Runtime } from '../../src/composition/runtime.js';
import { startWorker, type StartedWorker } from '../../src/composition/start-worker.js';
import { startEmulators, type Emulators } from '../../src/emulators/emulators.js';
import { startHecEmulator, type HecEmulator } from '../../src/emulators/splunk-hec.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/emulators/webhook-receiver.js';
import { waitFor } from '../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';

/**
 * The mechanism behind scenario 3's full run, pinned down: jobs that only wait to re-deliver to a
 * sink that is down must not keep their severity priority, or a backlog of high-severity retries
 * (each due again within the retry delay) keeps every lower-severity alert from being processed at
 * all — it never reaches the sinks that are up.
 */
describe('retries for a sink that is down', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const hecToken = randomBytes(16).toString('hex');
  let emulators: Emulators;
  let hec: HecEmulator;
  let receiver: WebhookReceiver;
  let runtime: Runtime;
  let worker: StartedWorker | undefined;

  beforeAll(async () => {
    emulators = await startEmulators();
    hec = await startHecEmulator({ token: hecToken });
    receiver = await startWebhookReceiver({ secret });
    runtime = await openRuntime(
      {
        ...emulators.env,
        REDIS_URL: testRedisUrl(),
        IPENRICH_PREFIX: uniquePrefix('retry-priority'),
        SINKS: 'webhook,splunk',
        WEBHOOK_URL: `${receiver.url}/alerts`,
        WEBHOOK_SECRET: secret,
        SPLUNK_HEC_URL: hec.url,
        SPLUNK_HEC_TOKEN: hecToken,
        // One slot, and a retry is due again at once: the retries alone could fill the worker.
        WORKER_CONCURRENCY: '1',
        SINK_RETRY_BASE_MS: '1',
        SINK_RETRY_MAX_DELAY_MS: '1',
        LOG_LEVEL: 'silent',
      },
      { waitForRedis: true },
    );
  });

  afterAll(async () => {
    await worker?.close(2_000);
    await runtime.queue.obliterate({ force: true });
    await runtime.close();
    await Promise.all([receiver.close(), hec.close(), emulators.close()]);
  });

  it('let a new low-severity alert reach the sinks that are up', async () => {
    hec.setMode({ kind: 'down' });
    const high = Array.from({ length: 6 }, (_, n) => ({ id: `high-${n}`, title: 'no address in here', severity: 'high' }));
    const low = { id: 'low-0', title: 'no address in here either', severity: 'low' };
    await acceptAlerts(runtime.queue, [...high, low].map((alert) => ({ alert })), { defaultTenant: 'default', attempts: 3 });
    worker = await startWorker(runtime);

    await waitFor('the high-severity alerts at the webhook', () => receiver.deliveries.size >= high.length, 20_000);
    const lowDelivered = (): boolean => [...receiver.deliveries.values()].some((d) => (d.payload as { data: { alertId: string } }).data.alertId === low.id);
    await waitFor(() => `the low-severity alert at the webhook while Splunk is down (Splunk refused ${hec.counters.eventPosts} posts meanwhile)`, lowDelivered, 10_000);
    expect(hec.events).toHaveLength(0);

    hec.setMode({ kind: 'normal' });
    await waitFor('every alert completed once Splunk is back', async () => (await runtime.queue.getCompletedCount()) === high.length + 1, 20_000);
    expect(new Set(hec.events.map((event) => (event.event as { alertId: string }).alertId)).size).toBe(high.length + 1);
    expect(receiver.counters.duplicates).toBe(0);
  });
});
