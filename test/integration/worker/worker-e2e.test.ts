import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { extractIps } from '../../../src/extract/index.js';
import { createAlertsQueue } from '../../../src/queue/alerts-queue.js';
import { contentDigest } from '../../../src/pipeline/alert-identity.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { alertResultSchema, type AlertResult } from '../../../src/result/schema.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { spawnCli, waitFor, type CliProcess } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

const ALERT_DIR = 'examples/alerts';

/** The bundled samples plus variants of them (fresh ids), so the batch is large enough to kill a worker mid-way. */
function alertBatch(copies: number): unknown[] {
  const samples = readdirSync(ALERT_DIR).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(join(ALERT_DIR, name), 'utf8')) as unknown);
  const batch: unknown[] = [];
  for (let copy = 0; copy < copies; copy += 1) {
    for (const sample of samples) batch.push(copy === 0 ? sample : { copy, sample });
  }
  return batch;
}

describe('worker end to end: queue → two worker processes → Defender emulator → signed webhook', () => {
  const prefix = uniquePrefix('e2e');
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let emulators: Emulators;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let env: NodeJS.ProcessEnv;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { mode: { latencyMs: 150 } } });
    receiver = await startWebhookReceiver({ secret });
    redis = createRedis(testRedisUrl());
    env = {
      ...emulators.env,
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: prefix,
      SINKS: 'webhook',
      WEBHOOK_URL: `${receiver.url}/hook`,
      WEBHOOK_SECRET: secret,
      WORKER_CONCURRENCY: '3',
      WORKER_LOCK_MS: '2000',
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await receiver.close();
    await emulators.close();
    const queue = createAlertsQueue(redis, keySpace(prefix));
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('delivers every alert once per webhook-id with the right IPs, even when a worker is killed with SIGKILL', async () => {
    const config = loadConfig(env);
    const queue = createAlertsQueue(redis, keySpace(prefix));
    const alerts = alertBatch(3);
    const jobs = await acceptAlerts(queue, alerts.map((alert) => ({ alert })), { defaultTenant: 'default', attempts: 5, backoffMs: 200 });
    await queue.close();
    // The same sample sent three times is one alert: queued once, enriched once. Samples that share a
    // vendor placeholder id but differ in content are revisions of their own.
    const distinct = new Set(jobs.map((job) => job.jobId)).size;
    expect(jobs.filter((job) => !job.duplicate)).toHaveLength(distinct);
    expect(distinct).toBeGreaterThan(40);

    workers.push(spawnCli(['worker'], env), spawnCli(['worker'], env));
    await waitFor('the first deliveries', () => receiver.deliveries.size >= 5, 60_000);
    const victim = workers[0];
    victim?.child.kill('SIGKILL');
    expect(await victim?.exited).toBe('SIGKILL');

    await waitFor(() => `all ${distinct} results (worker output: ${workers.map((w) => w.output().slice(-2000)).join(' | ')})`, () => receiver.deliveries.size >= distinct, 120_000);
    expect(receiver.counters.rejectedSignatures).toBe(0);

    const results = [...receiver.deliveries.values()].map((delivery) => {
      const payload = delivery.payload as { type: string; data: unknown };
      expect(payload.type).toBe('ipenrich.alert.enriched');
      return alertResultSchema.parse(payload.data);
    });
    const byContent = new Map<string | null, AlertResult>(results.map((result) => [result.contentDigest, result]));
    expect(byContent.size).toBe(distinct);
    for (const [index, alert] of alerts.entries()) {
      const job = jobs[index];
      if (!job || job.duplicate) continue;
      const result = byContent.get(contentDigest(alert));
      expect(result?.alertId).toBe(job.alertId);
      expect(result, `result of alert #${index}`).toBeDefined();
      const expected = extractIps(alert, { enrichRanges: [...config.EXTRACT_ENRICH_RANGES] }).ips.map((ip) => ip.ip).sort();
      expect(result?.ips.map((ip) => ip.ip).sort()).toEqual(expected);
      for (const ip of result?.ips ?? []) expect(['enriched', 'not_seen', 'skipped']).toContain(ip.status);
    }
    // Redelivery after a crash is allowed (at-least-once) but must reuse the webhook-id.
    expect(receiver.deliveries.size).toBe(distinct);
    // Each distinct IP is fetched once across both workers; only calls in flight in the killed
    // worker (at most its 3 active alerts' IPs) may be made again by the worker that takes over.
    // Without the shared cache and coalescing, the three copies of each alert would cost 3x.
    const { callsPerIp, totalCalls, throttled } = emulators.defender.counters;
    const mostIpsInOneAlert = Math.max(...results.map((result) => result.ips.filter((ip) => ip.status !== 'skipped').length));
    expect(totalCalls).toBeLessThanOrEqual(Object.keys(callsPerIp).length + 3 * mostIpsInOneAlert);
    expect(throttled).toBe(0);
  }, 180_000);
});
