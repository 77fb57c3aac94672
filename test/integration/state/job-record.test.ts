import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSink } from '../../../connectors/webhook/index.js';
import type { Redis } from '../../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../../src/redis/keys.js';
import { RedisJobRecord } from '../../../src/state/job-record.js';
import { deliverToDestinations } from '../../../src/pipeline/deliver.js';
import type { Destination } from '../../../src/pipeline/ports.js';
import { SinkHealthBoard } from '../../../src/state/sink-health.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';
import { sampleResult } from '../connectors/support/sample-result.js';

/** Delivery state in real Redis: what one attempt records, the next attempt reads back. */
describe('delivery state and fan-out across attempts', () => {
  const prefix = uniquePrefix('delivery');
  const keys: KeySpace = keySpace(prefix);
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let up: WebhookReceiver;
  let down: WebhookReceiver;
  let targets: Destination[];

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
    [up, down] = await Promise.all([startWebhookReceiver({ secret }), startWebhookReceiver({ secret })]);
    targets = [
      { name: 'up', sink: createWebhookSink({ url: up.url, secret, attempts: 1 }) },
      { name: 'down', sink: createWebhookSink({ url: down.url, secret, attempts: 1 }) },
    ];
  });

  afterAll(async () => {
    await Promise.all(targets.map((target) => target.sink.close()));
    await Promise.all([up.close(), down.close()]);
    await cleanup();
  });

  it('stores the result with a time to live and reads it back whole', async () => {
    const result = sampleResult();
    const first = new RedisJobRecord(redis, keys, 'job-result');
    expect(await first.loadResult()).toBeNull();
    await first.saveResult(result);

    expect(await new RedisJobRecord(redis, keys, 'job-result').loadResult()).toEqual(result);
    const ttl = await redis.ttl(keys.deliveries('job-result'));
    expect(ttl).toBeGreaterThan(7 * 86_400);
    expect(ttl).toBeLessThanOrEqual(8 * 86_400);
  });

  it('keeps a result unless the record holds one, and then answers with the one it holds and its sinks\' state', async () => {
    const result = sampleResult();
    const fresh = new RedisJobRecord(redis, keys, 'job-keep');
    expect(await fresh.keepResult(result)).toEqual(result);
    expect(await fresh.sink('up')).toMatchObject({ delivered: false, failures: 0 });
    await fresh.markDelivered('up', 1_000);
    const ttl = await redis.ttl(keys.deliveries('job-keep'));
    expect(ttl).toBeGreaterThan(7 * 86_400);

    // The same alert again after its job was removed, built anew: the record's result wins, with the sink that had it.
    await redis.expire(keys.deliveries('job-keep'), 86_400);
    const again = new RedisJobRecord(redis, keys, 'job-keep');
    const rebuilt = { ...result, completedAt: '2026-12-06T00:00:00.000Z' };
    expect(await again.keepResult(rebuilt)).toEqual(result);
    expect(await again.sink('up')).toMatchObject({ delivered: true });
    expect(await again.sink('down')).toMatchObject({ delivered: false });
    expect(await redis.ttl(keys.deliveries('job-keep'))).toBeGreaterThan(7 * 86_400);
    expect(await new RedisJobRecord(redis, keys, 'job-keep').loadResult()).toEqual(result);
  });

  it('replaces a stored result this version cannot read when it keeps one', async () => {
    await redis.hset(keys.deliveries('job-keep-unreadable'), 'result', '{"schemaVersion":0}');
    const result = sampleResult();
    expect(await new RedisJobRecord(redis, keys, 'job-keep-unreadable').keepResult(result)).toEqual(result);
    expect(await new RedisJobRecord(redis, keys, 'job-keep-unreadable').loadResult()).toEqual(result);
  });

  it('keeps a record whose result is read again for its full time to live', async () => {
    const result = sampleResult();
    await new RedisJobRecord(redis, keys, 'job-reread').saveResult(result);
    // As on day 7: an alert sent again after its first job was removed reads the stored result.
    await redis.expire(keys.deliveries('job-reread'), 86_400);
    expect(await new RedisJobRecord(redis, keys, 'job-reread').loadResult()).toEqual(result);
    expect(await redis.ttl(keys.deliveries('job-reread'))).toBeGreaterThan(7 * 86_400);
  });

  it('reads sink states from Redis when nothing was loaded, and from the loaded hash otherwise', async () => {
    const writer = new RedisJobRecord(redis, keys, 'job-states');
    await writer.markDelivered('webhook', 1_000);
    await writer.markDelivered('sentinel-noted', 1_500, ['incident comment skipped: the incident already has 100 comments']);
    await writer.markFailed('splunk', 2_000, 'SINK_UNAVAILABLE: first');
    await writer.markFailed('splunk', 3_000, 'SINK_UNAVAILABLE: second');

    const unloaded = new RedisJobRecord(redis, keys, 'job-states');
    expect(await unloaded.sink('webhook')).toEqual({ delivered: true, failures: 0, firstFailureAt: null, notes: [] });
    const loaded = new RedisJobRecord(redis, keys, 'job-states');
    expect(await loaded.loadResult()).toBeNull();
    expect(await loaded.sink('webhook')).toEqual({ delivered: true, failures: 0, firstFailureAt: null, notes: [] });
    expect(await loaded.sink('splunk')).toEqual({ delivered: false, failures: 2, firstFailureAt: 2_000, notes: [] });
    expect(await loaded.sink('sentinel')).toEqual({ delivered: false, failures: 0, firstFailureAt: null, notes: [] });
    expect(await loaded.sink('sentinel-noted')).toEqual({
      delivered: true,
      failures: 0,
      firstFailureAt: null,
      notes: ['incident comment skipped: the incident already has 100 comments'],
    });
    expect(await redis.ttl(keys.deliveries('job-states'))).toBeGreaterThan(7 * 86_400);
  });

  it('a retry sends only to the sink that failed, and the health board records both outcomes under the job\'s tenant', async () => {
    const jobId = 'job-fan-out';
    const health = new SinkHealthBoard(redis, keys);
    const result = sampleResult();
    down.setMode({ status: 503 });

    const firstAttempt = new RedisJobRecord(redis, keys, jobId);
    expect(await firstAttempt.loadResult()).toBeNull();
    await firstAttempt.saveResult(result);
    const first = await deliverToDestinations(result, targets, firstAttempt, { jobId, tenant: 'contoso', now: () => 10_000, health });
    expect(first.delivered).toEqual(['up']);
    expect(first.failed.map((failed) => [failed.name, failed.state])).toEqual([['down', { delivered: false, failures: 1, firstFailureAt: 10_000, notes: [] }]]);
    const afterFirst = await health.read('contoso');
    expect(afterFirst.up?.lastSuccessAt).toBe(new Date(10_000).toISOString());
    expect(afterFirst.down?.failuresSinceSuccess).toBe(1);
    expect(await health.read('fabrikam')).toEqual({});

    down.setMode('accept');
    const retry = new RedisJobRecord(redis, keys, jobId);
    const stored = await retry.loadResult();
    expect(stored).toEqual(result);
    const second = await deliverToDestinations(stored ?? result, targets, retry, { jobId, tenant: 'contoso', now: () => 20_000, health });
    expect(second).toEqual({ delivered: ['down'], held: [{ name: 'down', at: 20_000, notes: [] }], notes: {}, skipped: ['up'], failed: [] });
    // Every destination has it now: the mark goes with the job's completion, as the worker sends it.
    await retry.markDeliveredWithCompletion(second.held)(redis);

    expect(up.counters.requests).toBe(1);
    expect(down.deliveries.size).toBe(1);
    const afterRetry = await health.read('contoso');
    expect(afterRetry.down?.failuresSinceSuccess).toBe(0);
    expect(await new RedisJobRecord(redis, keys, jobId).sink('down')).toEqual({ delivered: true, failures: 1, firstFailureAt: 10_000, notes: [] });
  });

  it('leaves the marks to the completion when every sink accepted, and writes them at once when one failed', async () => {
    const health = new SinkHealthBoard(redis, keys);
    const allUp = new RedisJobRecord(redis, keys, 'job-held');
    await allUp.saveResult(sampleResult());
    const report = await deliverToDestinations(sampleResult(), [targets[0] as Destination], allUp, { jobId: 'job-held', tenant: 'contoso', now: () => 50_000, health });
    expect(report.held).toEqual([{ name: 'up', at: 50_000, notes: [] }]);
    expect(await new RedisJobRecord(redis, keys, 'job-held').sink('up')).toMatchObject({ delivered: false });
    // What the worker does with the job's completion, on its own connection.
    await allUp.markDeliveredWithCompletion(report.held)(redis);
    expect(await new RedisJobRecord(redis, keys, 'job-held').sink('up')).toMatchObject({ delivered: true });

    down.setMode({ status: 503 });
    const oneDown = new RedisJobRecord(redis, keys, 'job-held-partly');
    await oneDown.saveResult(sampleResult());
    const partly = await deliverToDestinations(sampleResult(), targets, oneDown, { jobId: 'job-held-partly', tenant: 'contoso', now: () => 60_000, health });
    expect([partly.delivered, partly.held, partly.failed.map((failed) => failed.name)]).toEqual([['up'], [], ['down']]);
    expect(await new RedisJobRecord(redis, keys, 'job-held-partly').sink('up')).toMatchObject({ delivered: true });
    down.setMode('accept');
  });

  it('keeps what a sink accepted with reservations, in the job record and on the health board', async () => {
    const jobId = 'job-noted';
    const health = new SinkHealthBoard(redis, keys);
    const note = 'incident comment skipped: the incident already has 100 comments';
    const noted: Destination = {
      name: 'noted',
      sink: { name: 'noted', deliver: () => Promise.resolve({ notes: [note] }), close: () => Promise.resolve() },
    };
    const record = new RedisJobRecord(redis, keys, jobId);
    const report = await deliverToDestinations(sampleResult(), [noted], record, { jobId, tenant: 'contoso', now: () => 30_000, health });
    expect(report.notes).toEqual({ noted: [note] });
    await record.markDeliveredWithCompletion(report.held)(redis);
    expect((await new RedisJobRecord(redis, keys, jobId).sink('noted')).notes).toEqual([note]);
    expect((await health.read('contoso')).noted?.lastNotes).toEqual([note]);
    // A later delivery without notes keeps the last ones (a lasting condition is said once).
    await deliverToDestinations(sampleResult(), [{ ...noted, sink: { ...noted.sink, deliver: () => Promise.resolve() } }], new RedisJobRecord(redis, keys, 'job-noted-2'), { jobId: 'job-noted-2', tenant: 'contoso', now: () => 40_000, health });
    expect((await health.read('contoso')).noted).toMatchObject({ lastNotes: [note], lastNotesAt: new Date(30_000).toISOString(), lastSuccessAt: new Date(40_000).toISOString() });
  });
});
