import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startLocalRedis, type LocalRedis } from '../../../src/redis/local-server.js';
import { createLogicAppsClient, type LogicAppsHttpAction, type LogicAppsOutcome } from '../../support/logic-apps-client.js';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

/** Logic Apps' seconds run as hundredths here: a 1 s Retry-After is a 10 ms wait. */
const logicApps = createLogicAppsClient({ timeScale: 1 / 100 });

function splunkAlert(ip: string): Record<string, unknown> {
  return { result: { src_ip: ip }, sid: `scheduler_admin_search_${randomUUID()}`, search_name: 'Logic Apps', owner: 'admin', app: 'search' };
}

/** The HTTP action docs/playbooks.md recommends: the key in `authentication` (Raw), which Logic Apps resends on every poll. */
function action(harness: IngressHarness, path: string, body: unknown): LogicAppsHttpAction {
  return { method: 'POST', uri: `${harness.url}${path}`, body, authentication: { type: 'Raw', value: `Bearer ${harness.keys.operator}` } };
}

function errorOf(outcome: LogicAppsOutcome): { code: string; message: string } {
  return (outcome.body as { error: { code: string; message: string } }).error;
}

describe('a Logic Apps HTTP action against the ingress', () => {
  let emulators: Emulators;
  let harness: IngressHarness;

  beforeAll(async () => {
    emulators = await startEmulators();
    harness = await startIngressHarness({ worker: true, env: emulators.env });
  });
  afterAll(async () => {
    await harness.close();
    await emulators.close();
  });

  it('asynchronous pattern: POST /v1/alerts, polls the Location with the authentication block, succeeds with the result', async () => {
    const outcome = await logicApps.run(action(harness, '/v1/alerts', splunkAlert('198.51.100.20')));
    expect(outcome.status).toBe('Succeeded');
    expect(outcome.statusCode).toBe(200);
    expect(outcome.body).toMatchObject({ state: 'completed', result: { ips: [{ ip: '198.51.100.20' }] } });
    expect(outcome.requests.length).toBeGreaterThan(1);
    for (const sent of outcome.requests) expect(sent.headers.authorization).toBe(`Bearer ${harness.keys.operator}`);
  });

  it('synchronous call: POST /v1/enrich succeeds with the result', async () => {
    const outcome = await logicApps.run(action(harness, '/v1/enrich', splunkAlert('198.51.100.21')));
    expect(outcome).toMatchObject({ status: 'Succeeded', statusCode: 200, body: { state: 'completed' } });
  });

  it('the key in the action\'s headers is lost on the first poll: 401, the action fails (why the docs use authentication)', async () => {
    const outcome = await logicApps.run({
      method: 'POST',
      uri: `${harness.url}/v1/alerts`,
      headers: { Authorization: `Bearer ${harness.keys.operator}` },
      body: splunkAlert('198.51.100.22'),
    });
    expect(outcome.status).toBe('Failed');
    expect(outcome.requests.map((sent) => sent.status)).toEqual([202, 401]);
  });
});

describe('a Logic Apps HTTP action when the job fails for good (Entra ID refuses the client secret)', () => {
  let emulators: Emulators;
  let harness: IngressHarness;

  beforeAll(async () => {
    emulators = await startEmulators();
    harness = await startIngressHarness({ worker: true, env: { ...emulators.env, MDE_CLIENT_SECRET: `wrong-${randomUUID()}` } });
  });
  afterAll(async () => {
    await harness.close();
    await emulators.close();
  });

  it('synchronous call: fails on its first answer, a final 4xx with JOB_FAILED and the reason, never retried', async () => {
    const outcome = await logicApps.run(action(harness, '/v1/enrich', splunkAlert('198.51.100.30')));
    expect(outcome.status).toBe('Failed');
    expect(outcome.requests).toHaveLength(1);
    expect(outcome.statusCode).toBe(422);
    expect(errorOf(outcome).code).toBe('JOB_FAILED');
    expect(errorOf(outcome).message).toContain('AUTH_FAILED');
  });

  it('asynchronous pattern: fails on the first final poll, and every later poll of the status URL says the same', async () => {
    const outcome = await logicApps.run(action(harness, '/v1/alerts', splunkAlert('198.51.100.31')));
    expect(outcome.status).toBe('Failed');
    expect(outcome.statusCode).toBe(422);
    expect(errorOf(outcome).code).toBe('JOB_FAILED');
    // Polled while pending, then one final answer: nothing was retried.
    const statuses = outcome.requests.map((sent) => sent.status);
    expect(statuses.slice(0, -1).every((status) => status === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(422);

    const statusUrl = outcome.requests.at(-1)?.url ?? '';
    for (let poll = 0; poll < 3; poll += 1) {
      const again = await logicApps.run({ method: 'GET', uri: statusUrl, authentication: { type: 'Raw', value: `Bearer ${harness.keys.operator}` } });
      expect(again).toMatchObject({ status: 'Failed', statusCode: 422, body: { error: { code: 'JOB_FAILED' } } });
      expect(again.requests).toHaveLength(1);
    }
  });
});

describe('a Logic Apps HTTP action during a temporary failure (Redis down)', () => {
  let redis: LocalRedis;
  let harness: IngressHarness;

  beforeAll(async () => {
    redis = await startLocalRedis();
    harness = await startIngressHarness({ redisUrl: redis.url, env: { INGRESS_REDIS_TIMEOUT_MS: '1000' } });
    await redis.stop();
  });
  afterAll(async () => {
    await harness.close();
    await redis.stop();
  });

  it('answers 503 with Retry-After, which Logic Apps retries on its Default policy (4 retries, 7.5–45 s)', async () => {
    const outcome = await logicApps.run(action(harness, '/v1/enrich', splunkAlert('198.51.100.40')));
    expect(outcome.status).toBe('Failed');
    expect(outcome.requests.map((sent) => sent.status)).toEqual([503, 503, 503, 503, 503]);
    for (const sent of outcome.requests) expect(Number(sent.retryAfter)).toBeGreaterThan(0);
    expect(outcome.waitsSeconds).toEqual([7.5, 15, 30, 45]);
    expect(errorOf(outcome).code).toBe('REDIS_UNAVAILABLE');
  });
});
