import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSplunkSink, type SplunkOptionsInput } from '../../../connectors/splunk/index.js';
import type { DeliveryReceipt, Sink } from '../../../src/sinks/port.js';
import { startHecEmulator, type HecEmulator } from '../../../src/emulators/splunk-hec.js';
import { failure } from './support/failure.js';
import { memoryProgress } from './support/memory-progress.js';
import { sampleIp, sampleResult } from './support/sample-result.js';
import { waitFor } from '../../support/cli-process.js';

const token = randomUUID();

describe('Splunk sink against the HEC emulator', () => {
  let hec: HecEmulator;
  const sinks: Sink[] = [];
  const sink = (options: Partial<SplunkOptionsInput> = {}, url = hec.url): Sink => {
    const created = createSplunkSink({ url, token, index: 'security', host: 'worker-1', ...options });
    sinks.push(created);
    return created;
  };
  const eventsFor = (deliveryId: string) =>
    hec.events.filter((e) => String((e.event as { eventId?: string }).eventId).startsWith(deliveryId));

  beforeAll(async () => {
    hec = await startHecEmulator({ token, indexes: ['security'] });
  });
  afterEach(async () => {
    hec.setMode({ kind: 'normal' });
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(() => hec.close());

  it('writes one event per alert with index, source, sourcetype, host and the alert time', async () => {
    const result = sampleResult();
    const deliveryId = `msg_${randomUUID()}`;
    await sink().deliver(result, { deliveryId });
    const [event, ...more] = eventsFor(deliveryId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ index: 'security', source: 'ipenrich', sourcetype: 'ipenrich:ip:stats', host: 'worker-1', path: '/services/collector/event' });
    expect(event?.time).toBe(Date.parse(result.alertTime ?? '') / 1_000);
    expect((event?.event as { alertId: string; ips: unknown[] }).alertId).toBe(result.alertId);
    expect((event?.event as { ips: unknown[] }).ips).toHaveLength(result.ips.length);
  });

  it('writes one event per IP, in several batches under the size cap', async () => {
    const result = sampleResult({ ips: Array.from({ length: 30 }, (_, i) => sampleIp(`198.51.100.${i + 1}`)) });
    const deliveryId = `msg_${randomUUID()}`;
    const postsBefore = hec.counters.eventPosts;
    await sink({ eventPerIp: true, maxBatchBytes: 4_096 }).deliver(result, { deliveryId });
    expect(eventsFor(deliveryId).map((e) => (e.event as { ip: string }).ip)).toEqual(result.ips.map((ip) => ip.ip));
    expect(hec.counters.eventPosts - postsBefore).toBeGreaterThan(1);
  });

  it('retries only the batches that did not get in, with the delivery progress', async () => {
    const result = sampleResult({ ips: Array.from({ length: 30 }, (_, i) => sampleIp(`198.51.100.${i + 1}`)) });
    const deliveryId = `msg_${randomUUID()}`;
    const progress = memoryProgress();
    hec.setMode({ kind: 'code', code: 9 }, 1, 2);
    const busy = await failure(sink({ eventPerIp: true, maxBatchBytes: 4_096 }).deliver(result, { deliveryId, progress }));
    expect(busy.code).toBe('SINK_UNAVAILABLE');
    const firstTry = eventsFor(deliveryId).length;
    expect(firstTry).toBeGreaterThan(0);
    expect(progress.parts.size).toBe(firstTry);

    await sink({ eventPerIp: true, maxBatchBytes: 4_096 }).deliver(result, { deliveryId, progress });
    const ips = eventsFor(deliveryId).map((e) => (e.event as { ip: string }).ip);
    expect(ips).toHaveLength(result.ips.length);
    expect(new Set(ips).size).toBe(result.ips.length);
  });

  it('maps busy and unhealthy codes to SINK_UNAVAILABLE with Retry-After', async () => {
    for (const code of [9, 18, 19, 20, 8]) {
      hec.setMode({ kind: 'code', code, retryAfter: '30' }, 1);
      const error = await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
      expect(error.code).toBe('SINK_UNAVAILABLE');
      expect(error.details?.hecCode).toBe(code);
      expect(error.retryAfterMs).toBe(30_000);
    }
  });

  it('maps token, index and format problems to SINK_REJECTED with the reason, never the token', async () => {
    const wrongToken = await failure(sink({ token: `wrong-${randomUUID()}` }).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(wrongToken.code).toBe('SINK_REJECTED');
    expect(wrongToken.message).toContain('Invalid token');
    expect(wrongToken.statusCode).toBe(403);

    const badIndex = await failure(sink({ index: 'not-allowed' }).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(badIndex.message).toContain('Incorrect index');
    expect(badIndex.details?.hecCode).toBe(7);

    for (const code of [1, 5, 6, 10, 11, 12, 13, 14, 15, 16, 21, 22]) {
      hec.setMode({ kind: 'code', code }, 1);
      const error = await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
      expect(error.code).toBe('SINK_REJECTED');
      expect(error.details?.hecCode).toBe(code);
      expect(`${error.message}${JSON.stringify(error)}`).not.toContain(token);
    }
  });

  it('maps a plain HTTP error from a proxy by status', async () => {
    hec.setMode({ kind: 'status', status: 502 }, 1);
    expect((await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }))).code).toBe('SINK_UNAVAILABLE');
    hec.setMode({ kind: 'status', status: 404 }, 1);
    expect((await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }))).code).toBe('SINK_REJECTED');
  });

  it('reports a down collector as SINK_UNAVAILABLE', async () => {
    hec.setMode({ kind: 'down' }, 1);
    const error = await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.message).not.toContain(token);
  });

  it('answers the health endpoint without a token, unhealthy when queues are full', async () => {
    const healthy = await fetch(`${hec.url}/services/collector/health`);
    expect([healthy.status, await healthy.json()]).toEqual([200, { text: 'HEC is healthy', code: 17 }]);
    hec.setMode({ kind: 'code', code: 18 });
    const full = await fetch(`${hec.url}/services/collector/health`);
    expect([full.status, await full.json()]).toEqual([503, { text: 'HEC is unhealthy, queues are full', code: 18 }]);
  });

  it('trusts a self-signed Splunk only through its CA file, never by skipping verification', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const own = await startHecEmulator({ token, tls: { key: pems.private, cert: pems.cert } });
    try {
      const untrusted = await failure(sink({}, own.url).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
      expect(untrusted.code).toBe('SINK_UNAVAILABLE');
      expect(own.events).toHaveLength(0);
      await sink({ ca: pems.cert }, own.url).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` });
      expect(own.events).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe('Splunk sink with indexer acknowledgement', () => {
  let hec: HecEmulator;
  const sinks: Sink[] = [];
  const sink = (options: Partial<SplunkOptionsInput> = {}): Sink => {
    const created = createSplunkSink({ url: hec.url, token, ack: true, ackPollIntervalMs: 20, ackTimeoutMs: 2_000, ...options });
    sinks.push(created);
    return created;
  };

  beforeAll(async () => {
    hec = await startHecEmulator({ token, ack: true, ackAfterPolls: 3 });
  });
  afterEach(async () => {
    hec.setMode({ kind: 'normal' });
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(() => hec.close());

  it('sends on a stable channel and resolves only once the batch is acknowledged', async () => {
    const s = sink();
    const polls = hec.counters.ackPolls;
    await s.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` });
    await s.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` });
    expect(hec.counters.ackPolls - polls).toBe(6);
    const channels = new Set(hec.events.slice(-2).map((e) => e.channel));
    expect(channels.size).toBe(1);
    expect([...channels][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails retryable when the acknowledgement does not come in time, and is not marked done', async () => {
    hec.setMode({ kind: 'ack-stall' }, 1);
    const progress = memoryProgress();
    const error = await failure(sink({ ackTimeoutMs: 150 }).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}`, progress }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.message).toMatch(/acknowledge/);
    expect(progress.parts.size).toBe(0);
  });

  it('waits for the acknowledgement of a batch already sent even when the caller aborts (no re-send, no duplicate events)', async () => {
    const s = sink();
    const controller = new AbortController();
    const polls = hec.counters.ackPolls;
    const events = hec.events.length;
    const delivering = s.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}`, signal: controller.signal });
    await waitFor('the first acknowledgement poll', () => hec.counters.ackPolls > polls, 10_000, 5);
    // The worker wants the slot back (SINK_SLOT_YIELD_MS): the batch is at Splunk already.
    controller.abort();
    await expect(delivering).resolves.toBeUndefined();
    expect(hec.events.length - events).toBe(1);
  });

  it('is rejected without a channel when the token requires acks (code 10)', async () => {
    const created = createSplunkSink({ url: hec.url, token, ack: false });
    sinks.push(created);
    const error = await failure(created.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(error.code).toBe('SINK_REJECTED');
    expect(error.details?.hecCode).toBe(10);
  });
});

describe('Splunk sink with SPLUNK_ACK against Splunk Cloud (ack is off on every token)', () => {
  let hec: HecEmulator;
  const sinks: Sink[] = [];
  const sink = (url = hec.url): Sink => {
    const created = createSplunkSink({ url, token, ack: true, ackPollIntervalMs: 20 });
    sinks.push(created);
    return created;
  };
  const notesOf = (receipt: DeliveryReceipt | void): readonly string[] => (receipt ? receipt.notes : []);

  beforeAll(async () => {
    // contracts.md §0: HEC indexer acknowledgement is a Splunk Enterprise feature.
    hec = await startHecEmulator({ token, cloud: true });
  });
  afterEach(() => Promise.all(sinks.splice(0).map((s) => s.close())));
  afterAll(() => hec.close());

  it('delivers, and says once per sink, in the delivery\'s notes, that ack is off on this token (a 200 without ackId)', async () => {
    const first = sink();
    const said = notesOf(await first.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    const again = notesOf(await first.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(hec.events.slice(-2).every((e) => e.channel !== undefined && e.ackId === undefined)).toBe(true);
    expect(hec.counters.ackPolls).toBe(0);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^SPLUNK_ACK_OFF: .*no ackId.*Splunk Cloud/);
    expect(again).toEqual([]);

    // Another sink instance (another worker process) says it once too.
    expect(notesOf(await sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }))).toHaveLength(1);
  });

  it('says nothing when the token does acknowledge (Splunk Enterprise)', async () => {
    const enterprise = await startHecEmulator({ token, ack: true });
    try {
      const receipt = await sink(enterprise.url).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` });
      expect(enterprise.counters.ackPolls).toBeGreaterThan(0);
      expect(notesOf(receipt)).toEqual([]);
    } finally {
      await enterprise.close();
    }
  });
});

describe('HEC emulator fidelity with Splunk\'s own client (splunk-logging)', () => {
  // splunk-logging is CommonJS without types; it is only used here, to check the emulator.
  const require = createRequire(import.meta.url);
  interface SplunkLoggerInstance {
    requestOptions: { strictSSL?: boolean };
    send(payload: unknown, callback: (error: Error | null, response: unknown, body: unknown) => void): void;
    flush(callback: (error: Error | null, response: unknown, body: unknown) => void): void;
    error: (error: Error) => void;
  }
  const { Logger } = require('splunk-logging') as { Logger: new (config: Record<string, unknown>) => SplunkLoggerInstance };
  let hec: HecEmulator;

  beforeAll(async () => {
    hec = await startHecEmulator({ token });
  });
  afterAll(() => hec.close());

  function send(logger: SplunkLoggerInstance, payload: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      logger.send(payload, (error, _response, body) => (error ? reject(error) : resolve(body)));
    });
  }

  it('accepts what splunk-logging sends, with certificate verification on', async () => {
    const logger = new Logger({ token, url: hec.url });
    logger.requestOptions.strictSSL = true;
    const marker = randomBytes(8).toString('hex');
    const body = await send(logger, { message: { marker }, metadata: { source: 'fidelity', sourcetype: 'st', index: 'main' } });
    expect(body).toEqual({ text: 'Success', code: 0 });
    const event = hec.events.find((e) => JSON.stringify(e.event).includes(marker));
    expect(event).toMatchObject({ source: 'fidelity', sourcetype: 'st', index: 'main', path: '/services/collector/event/1.0' });
  });

  it('parses a splunk-logging batch of concatenated events', async () => {
    const logger = new Logger({ token, url: hec.url, maxBatchCount: 3, batchInterval: 0 });
    logger.requestOptions.strictSSL = true;
    logger.error = () => undefined;
    const marker = randomBytes(8).toString('hex');
    const before = hec.counters.eventPosts;
    // With batching, only the send that fills the batch (and flushes it) gets a callback.
    logger.send({ message: { marker, n: 1 } }, () => undefined);
    logger.send({ message: { marker, n: 2 } }, () => undefined);
    expect(await send(logger, { message: { marker, n: 3 } })).toEqual({ text: 'Success', code: 0 });
    expect(hec.counters.eventPosts - before).toBe(1);
    expect(hec.events.filter((e) => JSON.stringify(e.event).includes(marker))).toHaveLength(3);
  });

  it('answers splunk-logging with the HEC code for a wrong token', async () => {
    const logger = new Logger({ token: 'not-the-token', url: hec.url });
    logger.requestOptions.strictSSL = true;
    logger.error = () => undefined;
    const body = await send(logger, { message: 'x' });
    expect(body).toEqual({ text: 'Invalid token', code: 4 });
  });
});
