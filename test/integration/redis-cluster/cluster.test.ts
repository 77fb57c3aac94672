import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { QueueKeys, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { createEnricher, type Enricher } from '../../../src/enrich/enricher.js';
import { createRateLimiter } from '../../../src/enrich/limiter.js';
import { ALERT_JOB_NAME, ALERTS_QUEUE, createAlertsQueue } from '../../../src/queue/alerts-queue.js';
import type { AlertJobData } from '../../../src/queue/job.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../../src/redis/keys.js';
import { createCountingClient } from '../budget/support/counting-client.js';
import { startLocalCluster, type LocalCluster } from './support/local-cluster.js';

/**
 * ipenrich on a real three-master Redis Cluster. With a hash-tagged prefix every key of a deployment
 * (queue, cache, limiter, coalescing, delivery state) lives in one slot, so BullMQ's and our Lua
 * scripts, MULTI and MGET work unchanged; without the tag they fail with CROSSSLOT.
 */

const TENANT = 'acme';

/** Every key name the key space can build for one tenant, with sample arguments. */
function everyKeyOf(keys: KeySpace): string[] {
  const names: string[] = [];
  for (const [name, build] of Object.entries(keys)) {
    if (typeof build === 'string') names.push(build);
    else if (typeof build === 'function') {
      // Each builder takes up to three of (tenant, ip or job id or window, look-back or sink); the
      // slot depends on the hash tag only, which is what this proves.
      names.push((build as (...args: string[]) => string)(TENANT, '2001:db8::1', '720'));
    } else throw new Error(`keySpace member ${name} is neither a key nor a key builder`);
  }
  const bull = new QueueKeys(keys.queuePrefix);
  const jobKey = bull.toKey(ALERTS_QUEUE, 'alert-123');
  names.push(...Object.values(bull.getKeys(ALERTS_QUEUE)), jobKey, `${jobKey}:lock`, `${jobKey}:logs`);
  return names;
}

describe('Redis Cluster (three local masters)', () => {
  let cluster: LocalCluster;
  let probe: Redis;
  const open: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    cluster = await startLocalCluster();
    const seed = cluster.nodes[0];
    if (!seed) throw new Error('no node');
    probe = cluster.connect(seed);
  }, 60_000);
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.close();
  });
  afterAll(async () => {
    probe?.disconnect();
    await cluster?.stop();
  });

  const slotOf = async (key: string): Promise<number> => Number(await probe.cluster('KEYSLOT', key));

  /** A fresh hash-tagged prefix whose slot is served by a node other than the seed, so every command is redirected. */
  async function prefixAwayFromSeed(): Promise<string> {
    for (;;) {
      const prefix = `{ipe-${randomUUID().slice(0, 8)}}`;
      const node = cluster.nodeForSlot(await slotOf(prefix));
      if (node.port !== cluster.nodes[0]?.port) return prefix;
    }
  }

  function connectCluster(): Redis {
    const redis = createRedis(cluster.url);
    open.push({ close: () => redis.quit() });
    return redis;
  }

  it('puts every key of a {tagged} prefix in one slot, and spreads an untagged one', async () => {
    const tagged = everyKeyOf(keySpace('{ipenrich}'));
    expect(tagged.length).toBeGreaterThan(30);
    const taggedSlots = new Set(await Promise.all(tagged.map(slotOf)));
    expect([...taggedSlots]).toEqual([await slotOf('ipenrich')]);

    const untagged = everyKeyOf(keySpace('ipenrich'));
    expect(new Set(await Promise.all(untagged.map(slotOf))).size).toBeGreaterThan(10);
  });

  it('runs the limiter Lua scripts across all windows with a tagged prefix, and fails CROSSSLOT without', async () => {
    const redis = connectCluster();
    const windows = [
      { max: 3, windowMs: 60_000 },
      { max: 5, windowMs: 3_600_000 },
    ];
    const limiter = createRateLimiter({ redis, keys: keySpace(await prefixAwayFromSeed()), windows, safetyMs: 0, inflightMs: 1_000 });
    const admissions = [];
    for (let i = 0; i < 4; i += 1) admissions.push(await limiter.acquire(TENANT));
    expect(admissions.map((a) => a.admitted)).toEqual([true, true, true, false]);
    expect(admissions[3]).toMatchObject({ admitted: false, blockedBy: windows[0] });
    expect((await limiter.status(TENANT)).inFlight).toBe(3);
    for (const admission of admissions) if (admission.admitted) await limiter.settle(TENANT, admission.ticket);
    await limiter.setCooldown(TENANT, 5_000);
    const status = await limiter.status(TENANT);
    expect(status.windows.map((w) => w.used)).toEqual([3, 3]);
    expect(status.admittedTotal).toBe(3);
    expect(status.inFlight).toBe(0);
    expect(status.cooldownMs).toBeGreaterThan(0);

    const spread = createRateLimiter({ redis, keys: keySpace(`ipe-${randomUUID().slice(0, 8)}`), windows, safetyMs: 0, inflightMs: 1_000 });
    await expect(spread.acquire(TENANT)).rejects.toThrow(/CROSSSLOT|same slot/i);
  });

  it('enriches through cache, coalescing (pub/sub across nodes) and limiter from two processes', async () => {
    const prefix = await prefixAwayFromSeed();
    const callsRedis = connectCluster();
    const callsKey = `${prefix}:test-calls`;
    const ips = ['203.0.113.5', '198.51.100.7', '2001:db8::42'];
    const enrichers: Enricher[] = [];
    for (let i = 0; i < 2; i += 1) {
      const enricher = createEnricher({
        redis: connectCluster(),
        keys: keySpace(prefix),
        windows: [{ max: 50, windowMs: 1_000 }],
        safetyMs: 0,
        ttls: { seenMs: 60_000, notSeenMs: 60_000, invalidMs: 60_000 },
        lockMs: 5_000,
        // The delay keeps the first fetcher busy, so the other process must wait for its announcement.
        clientFor: () => createCountingClient({ redis: callsRedis, callsKey, delayMs: 300 }),
      });
      open.push(enricher);
      enrichers.push(enricher);
    }
    const [a, b] = enrichers as [Enricher, Enricher];
    const both = await Promise.all([a.enrich(TENANT, ips, { lookBackHours: 720 }), b.enrich(TENANT, ips, { lookBackHours: 720 })]);
    for (const results of both) expect(results.map((r) => r.status)).toEqual(['enriched', 'enriched', 'enriched']);
    expect((await callsRedis.lrange(callsKey, 0, -1)).sort()).toEqual(['198.51.100.7', '2001:db8::42', '203.0.113.5']);

    const again = await b.enrich(TENANT, ips, { lookBackHours: 720 });
    expect(again.map((r) => r.cached)).toEqual([true, true, true]);
    expect(await callsRedis.llen(callsKey)).toBe(3);
    expect((await a.limiterStatus(TENANT)).admittedTotal).toBe(3);

    // `status` finds the cache entries wherever the cluster keeps them (here: not on the seed node).
    const stdout = new PassThrough();
    const out: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    const env = { REDIS_URL: cluster.url, IPENRICH_PREFIX: prefix, IPENRICH_DEFAULT_TENANT: TENANT, MDE_RATE_LIMITS: '50/1s' };
    expect(await main(['status', '--json'], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env })).toBe(0);
    const report = JSON.parse(out.join('')) as { tenants: { tenant: string; cache: { entries: number; hits: number }; budget: { admittedTotal: number } }[] };
    expect(report.tenants).toEqual([expect.objectContaining({ tenant: TENANT, cache: expect.objectContaining({ entries: 3, hits: 3 }) as unknown, budget: expect.objectContaining({ admittedTotal: 3 }) as unknown })]);
  });

  it('runs the alerts queue (BullMQ) through the cluster: waiting, prioritized and delayed jobs complete', async () => {
    const prefix = await prefixAwayFromSeed();
    const keys = keySpace(prefix);
    const queue = createAlertsQueue(connectCluster(), keys);
    open.push(queue);
    const processed: string[] = [];
    const worker = new Worker<AlertJobData>(
      ALERTS_QUEUE,
      (job) => {
        processed.push(job.id ?? '');
        return Promise.resolve({ alertId: job.data.alertId });
      },
      { connection: connectCluster(), prefix: keys.queuePrefix, concurrency: 2 },
    );
    open.push(worker);
    const done = new Promise<void>((resolve) => {
      worker.on('completed', () => {
        if (processed.length === 3) resolve();
      });
    });
    const data = (alertId: string): AlertJobData => ({
      alertId,
      tenant: TENANT,
      format: 'generic',
      alert: { id: alertId, ip: '203.0.113.5' },
      receivedAt: new Date().toISOString(),
      enqueueId: randomUUID(),
    });
    await queue.add(ALERT_JOB_NAME, data('a1'), { jobId: 'a1' });
    await queue.add(ALERT_JOB_NAME, data('a2'), { jobId: 'a2', priority: 1 });
    await queue.add(ALERT_JOB_NAME, data('a3'), { jobId: 'a3', delay: 200 });
    await done;
    expect(processed.sort()).toEqual(['a1', 'a2', 'a3']);
    expect(await queue.getJobCounts('completed', 'failed', 'delayed', 'wait')).toEqual({ completed: 3, failed: 0, delayed: 0, wait: 0 });
    // The queue's keys really are on the tag's node, not spread over the cluster.
    const owner = cluster.nodeForSlot(await slotOf(prefix));
    const onOwner = cluster.connect(owner);
    try {
      expect(await onOwner.exists(`${prefix}:${ALERTS_QUEUE}:completed`)).toBe(1);
    } finally {
      onOwner.disconnect();
    }
  });

  it('answers the worker health check through the cluster', async () => {
    const stdout = new PassThrough();
    const out: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    const code = await main(['healthcheck', '--redis'], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: { REDIS_URL: cluster.url, IPENRICH_PREFIX: '{ipenrich}' } });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/answered PONG/);
  });
});
