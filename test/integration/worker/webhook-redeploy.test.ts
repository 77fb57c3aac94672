import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { waitFor } from '../../support/cli-process.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from '../ingress/support/ingress-harness.js';

/**
 * A Standard Webhooks receiver that answers 404 (mid-redeploy) is retried on the worker's backoff,
 * not dead-lettered at once (contracts.md §0); only after SINK_MAX_RETRY_MS is the job given up,
 * with the receiver's last answer as the reason.
 */
function alert(): Record<string, unknown> {
  return { result: { src_ip: '198.51.100.77' }, sid: `scheduler_admin_search_${randomUUID()}`, search_name: 'Redeploy', owner: 'admin', app: 'search' };
}

interface Started {
  emulators: Emulators;
  receiver: WebhookReceiver;
  harness: IngressHarness;
}

async function start(env: Record<string, string>): Promise<Started> {
  const emulators = await startEmulators();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startWebhookReceiver({ secret });
  const harness = await startIngressHarness({
    worker: true,
    env: { ...emulators.env, SINKS: 'webhook', WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: secret, SINK_RETRY_BASE_MS: '20', SINK_RETRY_MAX_DELAY_MS: '100', ...env },
  });
  return { emulators, receiver, harness };
}

async function stop(started: Started | undefined): Promise<void> {
  await started?.harness.close();
  await started?.receiver.close();
  await started?.emulators.close();
}

async function finished(harness: IngressHarness): Promise<HttpAnswer> {
  const queued = await harness.http('POST', '/v1/alerts', { body: alert() });
  expect(queued.status).toBe(202);
  const statusUrl = (queued.json as { jobs: { statusUrl: string }[] }).jobs[0]?.statusUrl ?? '';
  let answer: HttpAnswer | undefined;
  await waitFor(`${statusUrl} to finish`, async () => {
    answer = await harness.http('GET', statusUrl);
    return answer.status !== 202;
  });
  if (!answer) throw new Error('no answer');
  return answer;
}

describe('webhook receiver redeploying (404), end to end through the worker', () => {
  let started: Started | undefined;
  beforeAll(async () => {
    started = await start({});
  });
  afterAll(() => stop(started));

  it('delivers once the receiver is back, after more 404s than one attempt retries in-process', async () => {
    const { receiver, harness } = started as Started;
    // Three in-process attempts, then the worker's backoff: the fourth 404 is answered on a later job attempt.
    receiver.setMode({ status: 404, body: 'no route /hooks/ipenrich' }, 4);
    const answer = await finished(harness);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ state: 'completed' });
    expect(receiver.attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 204]);
    expect(receiver.deliveries.size).toBe(1);
  });
});

describe('webhook receiver answering 404 for longer than SINK_MAX_RETRY_MS', () => {
  let started: Started | undefined;
  beforeAll(async () => {
    started = await start({ SINK_MAX_RETRY_MS: '1000' });
  });
  afterAll(() => stop(started));

  it('is dead-lettered after a retry, with the receiver\'s last answer as the reason', async () => {
    const { receiver, harness } = started as Started;
    receiver.setMode({ status: 404, body: 'no route /hooks/ipenrich' });
    const answer = await finished(harness);
    const reason = JSON.stringify(answer.json);
    expect(reason).toMatch(/gave up after .*webhook: SINK_UNAVAILABLE: .*answered 404: no route \/hooks\/ipenrich/);
    // Retried on the worker's backoff before giving up: more than one job attempt's worth of requests.
    expect(receiver.attempts.length).toBeGreaterThan(3);
    expect(receiver.deliveries.size).toBe(0);
  });
});
