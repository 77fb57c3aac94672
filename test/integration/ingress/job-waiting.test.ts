import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetOwners } from '../../../src/config/budget-owners.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { exhaustBudget } from '../../support/stale-entry.js';
import { testRedisUrl } from '../../support/redis.js';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

interface Waiting {
  readonly state: string;
  readonly waitingFor?: { reason: string; deliveries?: { sink: string; failures: number; failingSince: string | null; lastError: string | null }[] };
}

/**
 * A playbook polling a delayed job learns why it waits: for a destination that failed (which one,
 * since when, its last error) or for API budget, so it can tell a sink outage from a budget wait.
 */
describe('GET /v1/jobs/{id} of a delayed job says what it waits for', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let emulators: Emulators;
  let receiver: WebhookReceiver;
  let harness: IngressHarness;
  let redis: Redis;

  beforeAll(async () => {
    emulators = await startEmulators();
    receiver = await startWebhookReceiver({ secret });
    harness = await startIngressHarness({
      worker: true,
      env: { ...emulators.env, SINKS: 'webhook', WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: secret, WORKER_BUDGET_WAIT_MS: '50', SINK_RETRY_BASE_MS: '60000' },
    });
    redis = createRedis(testRedisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await harness.close();
    await receiver.close();
    await emulators.close();
  });

  async function delayedJob(ip: string): Promise<Waiting> {
    const queued = await harness.http('POST', '/v1/alerts', { body: { event: { id: randomUUID() }, source: { ip } } });
    expect(queued.status).toBe(202);
    const jobId = (queued.json as { jobs: { jobId: string }[] }).jobs[0]?.jobId ?? '';
    let view: Waiting = { state: 'unknown' };
    await expect
      .poll(async () => {
        const answer = await harness.http('GET', `/v1/jobs/${jobId}`);
        view = answer.json as Waiting;
        return view.state;
      }, { timeout: 20_000 })
      .toBe('delayed');
    return view;
  }

  it('names the destination that failed, with its last error, when the result waits for delivery', async () => {
    receiver.setMode({ status: 503 });
    try {
      const view = await delayedJob('198.51.100.201');
      expect(view.waitingFor).toMatchObject({ reason: 'delivery', deliveries: [{ sink: 'webhook', failures: 1, failingSince: expect.any(String) as unknown }] });
      expect(view.waitingFor?.deliveries?.[0]?.lastError).toMatch(/^SINK_UNAVAILABLE: .*503/);
    } finally {
      receiver.setMode('accept');
    }
  });

  it('says budget when its IPs wait for API budget', async () => {
    const keys = keySpace(harness.config.IPENRICH_PREFIX);
    await exhaustBudget(redis, keys, 'default', harness.config.MDE_RATE_LIMITS, budgetOwners(harness.config));
    const view = await delayedJob('198.51.100.202');
    expect(view.waitingFor).toEqual({ reason: 'budget' });
  });
});
