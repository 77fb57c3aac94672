import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { alertResultSchema } from '../../../src/result/schema.js';
import { readStoredResult } from '../../../src/state/job-record.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl } from '../../support/redis.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';

interface AcceptedJob {
  jobId: string;
  alertId: string;
  tenant: string;
  format: string;
  duplicate: boolean;
  statusUrl: string;
}

function splunkAlert(ips: readonly string[]): Record<string, unknown> {
  return {
    result: { src_ip: ips[0], dest_ip: ips[1], count: '3' },
    sid: `scheduler_admin_search_${randomUUID()}`,
    results_link: 'https://splunk.example.com:8000/app/search/@go?sid=x',
    search_name: 'Excessive Failed Logins',
    owner: 'admin',
    app: 'search',
  };
}

function jobsOf(answer: HttpAnswer): AcceptedJob[] {
  return (answer.json as { jobs: AcceptedJob[] }).jobs;
}

/** Sample value of one series in a Prometheus text exposition. */
function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ingress endpoints over real sockets (real Redis, emulators, in-process worker)', () => {
  let emulators: Emulators;
  let receiver: WebhookReceiver;
  let harness: IngressHarness;
  let redis: Redis;
  let queue: AlertsQueue;

  beforeAll(async () => {
    emulators = await startEmulators();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    receiver = await startWebhookReceiver({ secret });
    harness = await startIngressHarness({
      worker: true,
      env: {
        ...emulators.env,
        WEBHOOK_SECRET: secret,
        WEBHOOK_CALLBACK_ALLOWLIST: '127.0.0.1',
        WEBHOOK_ALLOW_PRIVATE_CALLBACKS: 'true',
      },
    });
    // An independent connection: what the ingress reports must be in Redis, not in its memory.
    redis = createRedis(testRedisUrl());
    queue = createAlertsQueue(redis, keySpace(harness.config.IPENRICH_PREFIX));
  });

  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await harness.close();
    await receiver.close();
    await emulators.close();
  });

  async function resultOf(statusUrl: string): Promise<HttpAnswer> {
    let answer: HttpAnswer | undefined;
    await waitFor(`${statusUrl} to finish`, async () => {
      answer = await harness.http('GET', statusUrl);
      return answer.status !== 202;
    }, 20_000);
    return answer as HttpAnswer;
  }

  it('POST /v1/alerts answers 202 with a status URL once the job is in Redis, and the result follows', async () => {
    const answer = await harness.http('POST', '/v1/alerts', { body: splunkAlert(['203.0.113.5', '198.51.100.7']) });
    expect(answer.status, answer.text).toBe(202);
    const [job] = jobsOf(answer);
    expect(job).toMatchObject({ tenant: 'default', format: 'splunk-webhook', duplicate: false, statusUrl: `/v1/jobs/${job?.jobId}` });
    expect(answer.headers.location).toBe(job?.statusUrl);
    expect(await queue.getJob(job?.jobId ?? '')).toBeDefined();

    const final = await resultOf(job?.statusUrl ?? '');
    expect(final.status, final.text).toBe(200);
    const view = final.json as { state: string; result: unknown };
    expect(view.state, final.text).toBe('completed');
    const result = alertResultSchema.parse(view.result);
    expect(result.ips.map((ip) => ip.ip).sort()).toEqual(['198.51.100.7', '203.0.113.5']);
    for (const ip of result.ips) expect(['enriched', 'not_seen']).toContain(ip.status);
    // Kept once, in the job's record, where the API read it: the job completes without a copy.
    expect(await readStoredResult(redis, keySpace(harness.config.IPENRICH_PREFIX), job?.jobId ?? '')).toEqual(result);
    expect((await queue.getJob(job?.jobId ?? ''))?.returnvalue ?? null).toBeNull();
  });

  it('GET /v1/jobs/{id} answers 404, not 200 without a result, for a completed job whose record is gone', async () => {
    const answer = await harness.http('POST', '/v1/alerts', { body: splunkAlert(['203.0.113.6']) });
    const [job] = jobsOf(answer);
    expect((await resultOf(job?.statusUrl ?? '')).status).toBe(200);
    // As after the record's 8 days, with BullMQ not yet having removed the completed job.
    await redis.del(keySpace(harness.config.IPENRICH_PREFIX).deliveries(job?.jobId ?? ''));
    expect(await queue.getJobState(job?.jobId ?? '')).toBe('completed');
    const gone = await harness.http('GET', job?.statusUrl ?? '');
    expect(gone.status, gone.text).toBe(404);
    expect(gone.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('POST /v1/alerts takes a batch and recognises every alert it has already seen', async () => {
    const alerts = [splunkAlert(['192.0.2.10']), splunkAlert(['192.0.2.11']), splunkAlert(['192.0.2.12'])];
    const first = jobsOf(await harness.http('POST', '/v1/alerts', { body: alerts }));
    expect(first).toHaveLength(3);
    expect(new Set(first.map((job) => job.jobId)).size).toBe(3);
    expect(first.every((job) => !job.duplicate)).toBe(true);

    const again = await harness.http('POST', '/v1/alerts', { body: alerts });
    expect(again.status).toBe(202);
    expect(again.headers.location).toBeUndefined();
    expect(jobsOf(again).map((job) => [job.jobId, job.duplicate])).toEqual(first.map((job) => [job.jobId, true]));
  });

  it('POST /v1/enrich answers with the result, and at once without new API calls for an alert already enriched', async () => {
    const alert = splunkAlert(['203.0.113.77', '203.0.113.78']);
    const answer = await harness.http('POST', '/v1/enrich', { body: alert });
    expect(answer.status).toBe(200);
    const view = answer.json as { jobId: string; state: string; duplicate: boolean; result: unknown };
    expect(view).toMatchObject({ state: 'completed', duplicate: false });
    expect(alertResultSchema.parse(view.result).ips.map((ip) => ip.ip).sort()).toEqual(['203.0.113.77', '203.0.113.78']);

    const callsBefore = emulators.defender.counters.totalCalls;
    const again = await harness.http('POST', '/v1/enrich', { body: alert });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ jobId: view.jobId, state: 'completed', duplicate: true });
    expect(emulators.defender.counters.totalCalls).toBe(callsBefore);
  });

  it('POST /v1/lookup answers from the same cache the alerts filled, and spends budget only on new IPs', async () => {
    await harness.http('POST', '/v1/enrich', { body: splunkAlert(['198.51.100.40', '198.51.100.41']) });
    const callsBefore = emulators.defender.counters.totalCalls;

    const cached = await harness.http('POST', '/v1/lookup', { body: { ips: ['198.51.100.40', '198.51.100.41'] } });
    expect(cached.status).toBe(200);
    const cachedIps = (cached.json as { ips: { ip: string; cached: boolean; status: string }[] }).ips;
    expect(cachedIps.map((ip) => [ip.ip, ip.cached])).toEqual([['198.51.100.40', true], ['198.51.100.41', true]]);
    expect(emulators.defender.counters.totalCalls).toBe(callsBefore);

    const fresh = await harness.http('POST', '/v1/lookup', { body: { ips: ['198.51.100.42', '[2001:DB8:0:0::42]', '127.0.0.1'] } });
    expect(fresh.status).toBe(200);
    const body = fresh.json as { tenant: string; ips: { ip: string; cached: boolean; status: string }[]; summary: string };
    expect(body.tenant).toBe('default');
    expect(body.ips.map((ip) => [ip.ip, ip.status === 'skipped' ? 'skipped' : ip.cached])).toEqual([
      ['198.51.100.42', false],
      ['2001:db8::42', false],
      ['127.0.0.1', 'skipped'],
    ]);
    expect(emulators.defender.counters.totalCalls).toBe(callsBefore + 2);
    expect(body.summary.length).toBeGreaterThan(0);
  });

  it('delivers the result to a per-alert callback URL, signed per Standard Webhooks', async () => {
    const alert = splunkAlert(['192.0.2.200']);
    const answer = await harness.http('POST', '/v1/alerts', { body: { alert, callbackUrl: `${receiver.url}/callback` } });
    expect(answer.status).toBe(202);
    await receiver.waitForDeliveries(1, 20_000);
    const [delivery] = [...receiver.deliveries.values()];
    expect(delivery?.path).toBe('/hooks/ipenrich/callback');
    expect((delivery?.payload as { data: { alertId: string } }).data.alertId).toBe(jobsOf(answer)[0]?.alertId);
  });

  it('refuses, before queueing anything, a callback URL the webhook sink would refuse', async () => {
    const waitingBefore = await queue.count();
    const answer = await harness.http('POST', '/v1/alerts', {
      body: [splunkAlert(['192.0.2.201']), { alert: splunkAlert(['192.0.2.202']), callbackUrl: 'https://attacker.example.net/x' }],
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'CALLBACK_URL_REFUSED' } });
    expect(await queue.count()).toBe(waitingBefore);
  });

  it('GET /v1/jobs/{id} answers 404 for a job that does not exist, 400 for a malformed id', async () => {
    expect((await harness.http('GET', '/v1/jobs/a0000000000000000000000000000000')).json).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const malformed = await harness.http('GET', '/v1/jobs/x:y');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ error: { code: 'INPUT_INVALID' } });
  });

  it('answers the probes without credentials', async () => {
    expect(await harness.http('GET', '/healthz', { key: null })).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await harness.http('GET', '/readyz', { key: null })).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('GET /metrics shows this replica\'s requests and, from Redis, queue depth, budget and cache', async () => {
    // Cache counts reach Redis with the worker's other counters, once per METRICS_FLUSH_MS.
    let answer = await harness.http('GET', '/metrics');
    await waitFor('cache hits in /metrics', async () => {
      answer = await harness.http('GET', '/metrics');
      return (metricValue(answer.text, 'ipenrich_cache_hits_total{tenant="default"}') ?? 0) >= 2;
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    const text = answer.text;
    expect(metricValue(text, 'ipenrich_redis_up')).toBe(1);
    expect(metricValue(text, 'ipenrich_http_requests_total{route="/v1/enrich",method="POST",status="200"}')).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'ipenrich_queue_jobs{state="completed"}')).toBeGreaterThanOrEqual(4);
    // Every Defender call went through the shared limiter, and nothing else did.
    expect(metricValue(text, 'ipenrich_budget_admitted_total{tenant="default"}')).toBe(emulators.defender.counters.totalCalls);
    expect(metricValue(text, 'ipenrich_budget_limit{tenant="default",window="60s"}')).toBe(100);
    const used = metricValue(text, 'ipenrich_budget_used{tenant="default",window="3600s"}') ?? -1;
    expect(used + (metricValue(text, 'ipenrich_budget_remaining{tenant="default",window="3600s"}') ?? -1)).toBe(1500);
    expect(metricValue(text, 'ipenrich_cache_hits_total{tenant="default"}')).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'ipenrich_cache_hit_ratio{tenant="default"}')).toBeGreaterThan(0);
  });

  it('POST /v1/enrich answers 422 JOB_FAILED when the job fails for good, and so does the status URL, with why', async () => {
    emulators.defender.setMode({ rejectAllTokens: true });
    try {
      const answer = await harness.http('POST', '/v1/enrich', { body: splunkAlert(['192.0.2.250']) });
      expect(answer.status).toBe(422);
      const error = (answer.json as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('JOB_FAILED');
      const statusUrl = /\((\/v1\/jobs\/[^)]+)\)/.exec(error.message)?.[1] ?? '';
      const view = await harness.http('GET', statusUrl);
      expect(view.status).toBe(422);
      expect(view.json).toMatchObject({ error: { code: 'JOB_FAILED', message: expect.stringContaining('MDE_UNAUTHORIZED') as unknown } });
    } finally {
      emulators.defender.setMode({ rejectAllTokens: false });
    }
  });

  it('serves the queue dashboard under /admin to operators only', async () => {
    const page = await harness.http('GET', '/admin');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await harness.http('GET', '/admin/api/queues');
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.json)).toContain('"alerts"');

    const browser = await harness.http('GET', '/admin', { key: null, headers: { authorization: `Basic ${Buffer.from(`ops:${harness.keys.operator}`).toString('base64')}` } });
    expect(browser.status).toBe(200);
    const anonymous = await harness.http('GET', '/admin', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);
    const customer = await harness.http('GET', '/admin/api/queues', { key: harness.keys.contoso });
    expect(customer.status).toBe(403);
    expect(customer.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});
