import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createEnricherFromConfig } from '../../../src/composition/enricher-from-config.js';
import type { Enricher } from '../../../src/enrich/enricher.js';
import { createLogger } from '../../../src/log.js';
import { createIngressMetrics, type IngressMetrics } from '../../../src/metrics/ingress-metrics.js';
import { createSharedMetrics } from '../../../src/metrics/shared-metrics.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../../src/redis/keys.js';
import { startLocalRedis } from '../../../src/redis/local-server.js';
import { openRuntime } from '../../../src/composition/runtime.js';
import { startWorker } from '../../../src/composition/start-worker.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { waitFor } from '../../support/cli-process.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';

function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** The ingress side: reads whatever the workers wrote under `keys`. */
function ingressMetricsFor(redis: Redis, keys: KeySpace, queue: AlertsQueue, enricher: Enricher): IngressMetrics {
  return createIngressMetrics({ redis, keys, queue, tenants: ['default'], pendingLimitOf: () => 20_000, budget: enricher, redisTimeoutMs: 2_000 });
}

describe('shared metrics: worker processes write, the ingress /metrics reads', () => {
  const prefix = uniquePrefix('metrics');
  const keys = keySpace(prefix);
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let queue: AlertsQueue;
  let enricher: Enricher;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
    queue = createAlertsQueue(redis, keys);
    const config = loadConfig({ REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix });
    enricher = createEnricherFromConfig(config, redis, () => {
      throw new Error('no Defender call expected');
    });
  });

  afterAll(async () => {
    await enricher.close();
    await queue.close();
    await cleanup();
  });

  it('adds up the counts of two processes, with histogram buckets, sum and count', async () => {
    const workers = [createRedis(testRedisUrl()), createRedis(testRedisUrl())];
    const [a, b] = workers.map((connection) => createSharedMetrics({ redis: connection, keys, flushMs: 60_000 }));
    if (!a || !b) throw new Error('two writers expected');
    a.apiCall('default', 'seen');
    a.apiCall('default', 'seen');
    b.apiCall('default', 'seen');
    b.apiCall('default', 'MDE_THROTTLED');
    a.limiterWait('default', 1_500, 'slept');
    b.limiterWait('default', 500, 'slept');
    b.limiterWait('default', 30_000, 'deferred');
    a.cacheRefresh('default', 'refreshed');
    b.cacheRefresh('default', 'refreshed');
    a.delivery('default', 'webhook', 'delivered');
    b.delivery('default', 'webhook', 'SINK_UNAVAILABLE');
    // Another tenant's receiver: its own series, so an alert can say whose sink fails.
    b.delivery('fabrikam', 'webhook', 'SINK_UNAVAILABLE');
    a.jobCompleted(40, 'complete'); // ≤ 0.05 s
    b.jobCompleted(700, 'complete'); // ≤ 1 s
    b.jobCompleted(7_200_000, 'partial'); // beyond the last bucket
    await Promise.all([a.close(), b.close()]);
    await Promise.all(workers.map((connection) => connection.quit()));

    const { text, contentType } = await ingressMetricsFor(redis, keys, queue, enricher).render();
    expect(contentType).toMatch(/^text\/plain/);
    expect(series(text, 'ipenrich_api_calls_total{tenant="default",outcome="seen"}')).toBe(3);
    expect(series(text, 'ipenrich_api_calls_total{tenant="default",outcome="MDE_THROTTLED"}')).toBe(1);
    expect(series(text, 'ipenrich_limiter_waits_total{tenant="default",kind="slept"}')).toBe(2);
    expect(series(text, 'ipenrich_limiter_wait_seconds_total{tenant="default",kind="slept"}')).toBe(2);
    expect(series(text, 'ipenrich_limiter_wait_seconds_total{tenant="default",kind="deferred"}')).toBe(30);
    expect(series(text, 'ipenrich_cache_refreshes_total{tenant="default",outcome="refreshed"}')).toBe(2);
    expect(series(text, 'ipenrich_sink_deliveries_total{tenant="default",sink="webhook",outcome="delivered"}')).toBe(1);
    expect(series(text, 'ipenrich_sink_deliveries_total{tenant="default",sink="webhook",outcome="SINK_UNAVAILABLE"}')).toBe(1);
    expect(series(text, 'ipenrich_sink_deliveries_total{tenant="fabrikam",sink="webhook",outcome="SINK_UNAVAILABLE"}')).toBe(1);
    expect(series(text, 'ipenrich_job_latency_seconds_bucket{le="0.05",result="complete"}')).toBe(1);
    expect(series(text, 'ipenrich_job_latency_seconds_bucket{le="0.5",result="complete"}')).toBe(1);
    expect(series(text, 'ipenrich_job_latency_seconds_bucket{le="1",result="complete"}')).toBe(2);
    expect(series(text, 'ipenrich_job_latency_seconds_bucket{le="+Inf",result="complete"}')).toBe(2);
    expect(series(text, 'ipenrich_job_latency_seconds_sum{result="complete"}')).toBeCloseTo(0.74, 6);
    expect(series(text, 'ipenrich_job_latency_seconds_count{result="complete"}')).toBe(2);
    expect(series(text, 'ipenrich_job_latency_seconds_bucket{le="3600",result="partial"}')).toBe(0);
    expect(series(text, 'ipenrich_job_latency_seconds_count{result="partial"}')).toBe(1);
    expect(text).toMatch(/^# TYPE ipenrich_job_latency_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE ipenrich_api_calls_total counter$/m);
  });

  it('keeps counts while Redis is down and writes them once it is back, exactly once', async () => {
    let local = await startLocalRedis();
    const connection = createRedis(local.url);
    connection.on('error', () => undefined);
    const metrics = createSharedMetrics({ redis: connection, keys, flushMs: 60_000 });
    metrics.delivery('default', 'splunk', 'delivered');
    const { port } = local;
    await local.stop();
    metrics.delivery('default', 'splunk', 'delivered');
    const failed = metrics.flush();
    local = await startLocalRedis({ port });
    await failed;
    await waitFor('the reconnection', () => connection.status === 'ready', 10_000);
    metrics.delivery('default', 'splunk', 'delivered');
    await metrics.close();
    expect(await connection.hget(keys.metric('ipenrich_sink_deliveries_total'), '["default","splunk","delivered"]')).toBe('3');
    connection.disconnect();
    await local.stop();
  });
});

describe('the worker reports its deliveries and job latency', () => {
  let emulators: Emulators;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    emulators = await startEmulators();
  });

  afterAll(async () => {
    await receiver.close();
    await emulators.close();
  });

  it('counts a delivered and a refused webhook delivery, and the completed job\'s latency', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    receiver = await startWebhookReceiver({ secret });
    const logger = createLogger({ level: 'silent' });
    const runtime = await openRuntime({}, {
      config: loadConfig({ ...emulators.env, REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: uniquePrefix('metrics-worker'), SINKS: 'webhook', WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: secret, SINK_RETRY_BASE_MS: '60000' }),
      logger,
      waitForRedis: true,
    });
    const { redis, keys } = runtime;
    const worker = await startWorker(runtime);
    let closed = false;
    try {
      const options = { defaultTenant: 'default', attempts: 3 };
      const [delivered] = await acceptAlerts(runtime.queue, [{ alert: { event: { id: 'm-1' }, source: { ip: '203.0.113.90' } } }], options);
      await waitFor('the first job', async () => (await runtime.queue.getJob(delivered?.jobId ?? ''))?.isCompleted() ?? false, 20_000);
      // 410 Gone is the webhook's one final refusal (Standard Webhooks retries every other non-2xx).
      receiver.setMode({ status: 410 });
      const [refused] = await acceptAlerts(runtime.queue, [{ alert: { event: { id: 'm-2' }, source: { ip: '203.0.113.91' } } }], options);
      // A 410 is not retried: the job fails once the worker has counted the delivery.
      await waitFor('the refused delivery', async () => (await runtime.queue.getJob(refused?.jobId ?? ''))?.isFailed() ?? false, 20_000);
      // Closing the worker flushes its counters to Redis.
      await worker.close(5_000);
      closed = true;

      const { text } = await ingressMetricsFor(redis, keys, runtime.queue, worker.parts.enricher).render();
      expect(series(text, 'ipenrich_sink_deliveries_total{tenant="default",sink="webhook",outcome="delivered"}')).toBe(1);
      expect(series(text, 'ipenrich_sink_deliveries_total{tenant="default",sink="webhook",outcome="SINK_DISABLED"}')).toBe(1);
      expect(series(text, 'ipenrich_job_latency_seconds_count{result="complete"}')).toBe(1);
      expect(series(text, 'ipenrich_job_latency_seconds_sum{result="complete"}')).toBeGreaterThan(0);
      expect(series(text, 'ipenrich_budget_admitted_total{tenant="default"}')).toBe(emulators.defender.counters.totalCalls);
    } finally {
      if (!closed) await worker.close(5_000);
      await runtime.queue.obliterate({ force: true });
      await runtime.close();
    }
  });
});
