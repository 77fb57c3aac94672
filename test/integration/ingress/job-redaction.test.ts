import { randomBytes, randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS_QUEUE, createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import type { AlertJobData } from '../../../src/queue/job.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { testRedisUrl } from '../../support/redis.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';

const SIG = `sig${randomBytes(12).toString('hex')}`;
// A Logic Apps callback (sp and sv are harmless, sig is the credential); the allowlist admits the loopback host.
const CALLBACK = `https://127.0.0.1:9/workflows/w1/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
const SPLUNK = 'https://splunk.internal:8088/services/collector';
const WEBHOOK_HOST = 'hooks.internal.example';

/** What the worker writes when every destination failed: the callback URL, a sink URL and a bare sink host. */
function failureOf(job: Job<AlertJobData>): string {
  return `callback: SINK_UNAVAILABLE: POST ${job.data.callbackUrl ?? 'none'} answered 503; splunk: SINK_UNAVAILABLE: ${SPLUNK} answered 503; webhook: SINK_UNAVAILABLE: connect ECONNREFUSED ${WEBHOOK_HOST}:443`;
}

/** A job that failed for good answers 422 JOB_FAILED, the reason in the message. */
function failureShown(answer: HttpAnswer): string {
  expect(answer.status).toBe(422);
  return (answer.json as { error: { code: string; message: string } }).error.message;
}

const alert = (): Record<string, unknown> => ({ event: { id: randomUUID(), kind: 'alert' }, source: { ip: '203.0.113.20' } });

describe('what the API and /admin show of a failed job', () => {
  let harness: IngressHarness;
  let redis: Redis;
  let queue: AlertsQueue;
  let failing: Worker<AlertJobData>;

  beforeAll(async () => {
    harness = await startIngressHarness({
      env: {
        WEBHOOK_URL: `https://${WEBHOOK_HOST}/ipenrich`,
        WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
        WEBHOOK_CALLBACK_ALLOWLIST: '127.0.0.1',
        WEBHOOK_ALLOW_PRIVATE_CALLBACKS: 'true',
        SPLUNK_HEC_URL: SPLUNK,
      },
    });
    redis = createRedis(testRedisUrl());
    const keys = keySpace(harness.config.IPENRICH_PREFIX);
    queue = createAlertsQueue(redis, keys);
    // Fails every job for good, but an alert whose `outcome` says `complete` or `defer` (for the dashboard's other lists).
    failing = new Worker<AlertJobData>(ALERTS_QUEUE, async (job, token) => {
      const outcome = (job.data.alert as { outcome?: unknown }).outcome;
      if (outcome === 'complete') return;
      // A receiver that echoes its request target: the credential in a relative URL.
      if (outcome === 'echo') throw new UnrecoverableError(`callback: SINK_UNAVAILABLE: Webhook endpoint https://127.0.0.1:9/workflows/w1 answered 400: Invalid request to /workflows/w1?api-version=2016-10-01&sig=${SIG}`);
      if (outcome === 'defer') {
        await job.moveToDelayed(Date.now() + 3_600_000, token);
        throw new DelayedError();
      }
      throw new UnrecoverableError(failureOf(job));
    }, {
      connection: createRedis(testRedisUrl()),
      prefix: keys.queuePrefix,
    });
  });

  afterAll(async () => {
    await failing.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
    await harness.close();
  });

  async function jobIn(state: 'failed' | 'completed' | 'delayed', key: string, body: unknown): Promise<string> {
    const answer = await harness.http('POST', '/v1/alerts', { body, key });
    expect(answer.status).toBe(202);
    const jobId = (answer.json as { jobs: { jobId: string }[] }).jobs[0]?.jobId ?? '';
    await expect.poll(() => queue.getJobState(jobId), { timeout: 20_000 }).toBe(state);
    return jobId;
  }

  const failedJob = (key: string, body: unknown): Promise<string> => jobIn('failed', key, body);

  it('shows an operator the whole reason, with the callback URL\'s signature redacted', async () => {
    const jobId = await failedJob(harness.keys.operator, { alert: alert(), callbackUrl: CALLBACK });
    const reason = failureShown(await harness.http('GET', `/v1/jobs/${jobId}`));
    expect(reason).not.toContain(SIG);
    expect(reason).toContain('/workflows/w1/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=REDACTED');
    expect(reason).toContain(SPLUNK);
    expect(reason).toContain(WEBHOOK_HOST);
  });

  it('redacts the credential of a relative URL in the reason (a receiver echoing its request target), for operators and tenants', async () => {
    for (const key of [harness.keys.operator, harness.keys.contoso]) {
      const jobId = await failedJob(key, { alert: { ...alert(), outcome: 'echo' } });
      const reason = failureShown(await harness.http('GET', `/v1/jobs/${jobId}`, { key }));
      expect(reason).toContain('Invalid request to /workflows/w1?api-version=2016-10-01&sig=REDACTED');
      expect(reason).not.toContain(SIG);
    }
  });

  it('shows a tenant-bound caller the reason without the operator\'s destinations, error codes kept', async () => {
    const jobId = await failedJob(harness.keys.contoso, alert());
    const reason = failureShown(await harness.http('GET', `/v1/jobs/${jobId}`, { key: harness.keys.contoso }));
    expect(reason).toContain('callback: SINK_UNAVAILABLE: POST none answered 503; splunk: SINK_UNAVAILABLE: <destination> answered 503; webhook: SINK_UNAVAILABLE: connect ECONNREFUSED <destination>:443');
    expect(failureShown(await harness.http('GET', `/v1/jobs/${jobId}`))).toContain(SPLUNK);
  });

  it('answers POST /v1/enrich\'s JOB_FAILED to a tenant-bound caller without the destinations', async () => {
    const message = failureShown(await harness.http('POST', '/v1/enrich', { body: alert(), key: harness.keys.contoso }));
    expect(message).toContain('splunk: SINK_UNAVAILABLE: <destination> answered 503');
    expect(message).not.toContain('splunk.internal');
    expect(message).not.toContain(WEBHOOK_HOST);
  });

  it('shows the failed job on /admin with the callback URL\'s signature redacted, in data, reason and stack trace', async () => {
    const jobId = await failedJob(harness.keys.operator, { alert: alert(), callbackUrl: CALLBACK });
    const list = await harness.http('GET', '/admin/api/queues?activeQueue=alerts&status=failed&page=1&jobsPerPage=50');
    expect(list.status).toBe(200);
    expect(list.text).toContain(jobId);
    const one = await harness.http('GET', `/admin/api/queues/alerts/${jobId}`);
    expect(one.status).toBe(200);
    for (const answer of [list, one]) {
      expect(answer.text).not.toContain(SIG);
      expect(answer.text).toContain('sig=REDACTED');
    }
    const job = (one.json as { job: { data: { callbackUrl: string }; failedReason: string; stacktrace: string[] } }).job;
    expect(job.data.callbackUrl).toBe(CALLBACK.replace(SIG, 'REDACTED'));
    expect(job.failedReason).toContain('sig=REDACTED');
    expect(job.stacktrace.join('\n')).toContain('sig=REDACTED');

    // Data edited on the dashboard comes back with the redacted URL; the job keeps its real callback.
    const edited = await harness.http('PATCH', `/admin/api/queues/alerts/${jobId}/update-data`, { body: { jobData: { ...job.data, note: 'edited' } } });
    expect(edited.status).toBe(200);
    const stored = await queue.getJob(jobId);
    expect(stored?.data).toMatchObject({ callbackUrl: CALLBACK, note: 'edited' });
  });

  it('lists the jobs of every other state on /admin too, which have no failedReason, with the signature redacted', async () => {
    const delayed = await jobIn('delayed', harness.keys.operator, { alert: { ...alert(), outcome: 'defer' }, callbackUrl: CALLBACK });
    const completed = await jobIn('completed', harness.keys.operator, { alert: { ...alert(), outcome: 'complete' }, callbackUrl: CALLBACK });
    for (const [status, jobId] of [['delayed', delayed], ['completed', completed], ['latest', delayed], ['latest', completed]] as const) {
      const list = await harness.http('GET', `/admin/api/queues?activeQueue=alerts&status=${status}&page=1&jobsPerPage=50`);
      expect(list.status, `${status}: ${list.text.slice(0, 200)}`).toBe(200);
      expect(list.text, status).toContain(jobId);
      expect(list.text, status).not.toContain(SIG);
    }
    for (const jobId of [delayed, completed]) {
      const one = await harness.http('GET', `/admin/api/queues/alerts/${jobId}`);
      expect(one.status, jobId).toBe(200);
      expect(one.text).not.toContain(SIG);
    }
  });
});
