import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTORS, type ConnectorName } from '../../../connectors/registry.js';
import { createSentinelSink } from '../../../connectors/sentinel/index.js';
import { createSplunkSink } from '../../../connectors/splunk/index.js';
import { createWebhookSink } from '../../../connectors/webhook/index.js';
import type { AlertResult } from '../../../src/result/schema.js';
import type { Sink } from '../../../src/sinks/port.js';
import { startArmEmulator } from '../../../src/emulators/arm.js';
import { startLogsIngestionEmulator } from '../../../src/emulators/logs-ingestion.js';
import { startHecEmulator } from '../../../src/emulators/splunk-hec.js';
import { startWebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { waitFor } from '../../support/cli-process.js';
import { failure } from './support/failure.js';
import { sentinelDeps } from './support/sentinel-deps.js';
import { sampleResult } from './support/sample-result.js';
import { staticTokenSource } from './support/static-token-source.js';

/**
 * The contract every sink keeps (src/sinks/port.ts), checked against each destination's emulator:
 * accepted write; the destination's permanent refusal final; 5xx and 429 retryable with
 * Retry-After; a success whose body cannot
 * be parsed is never re-sent; abort honoured; close idempotent; secrets never in errors.
 */
type Fault = 'rejected' | 'server-error' | 'throttled' | 'success-unparseable' | 'slow';

interface Harness {
  createSink(): Sink;
  result(): AlertResult;
  /** Whether the destination holds this delivery. */
  holds(deliveryId: string, result: AlertResult): boolean;
  /** Requests the emulators received, all endpoints together. */
  requests(): number;
  /** The next requests fail this way (until reset). */
  fault(kind: Fault): void;
  /**
   * How the destination's permanent refusal (`rejected`) is reported: a 4xx for the vendor APIs; for
   * the webhook only 410 Gone, since Standard Webhooks retries every other non-2xx (contracts.md §0).
   */
  readonly refusal: { readonly code: 'SINK_REJECTED' | 'SINK_DISABLED'; readonly status: number };
  reset(): void;
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

/** Longer than every sink's own time-out (10 s), so only the caller's abort can end a slow delivery. */
const SLOW_MS = 20_000;

/** One harness per registered connector: a connector added to the registry without one does not compile. */
const harnesses: Record<ConnectorName, () => Promise<Harness>> = {
  async webhook() {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = await startWebhookReceiver({ secret });
    return {
      createSink: () => createWebhookSink({ url: receiver.url, secret, attempts: 2, backoffBaseMs: 5, timeoutMs: 10_000 }),
      result: () => sampleResult(),
      holds: (deliveryId) => receiver.deliveries.has(deliveryId),
      requests: () => receiver.counters.requests,
      fault(kind) {
        if (kind === 'rejected') receiver.setMode({ status: 410, body: `{"error":"gone","echo":"${secret}"}` });
        if (kind === 'server-error') receiver.setMode({ status: 500 });
        if (kind === 'throttled') receiver.setMode({ status: 429, retryAfter: '120' });
        if (kind === 'success-unparseable') receiver.setMode({ status: 200, breakBody: true });
        if (kind === 'slow') receiver.setMode({ status: 204, delayMs: SLOW_MS });
      },
      refusal: { code: 'SINK_DISABLED', status: 410 },
      reset: () => receiver.setMode('accept'),
      secrets: [secret, secret.slice('whsec_'.length)],
      close: () => receiver.close(),
    };
  },

  async splunk() {
    const token = randomUUID();
    const hec = await startHecEmulator({ token });
    return {
      createSink: () => createSplunkSink({ url: hec.url, token, timeoutMs: 10_000 }),
      result: () => sampleResult(),
      holds: (deliveryId) => hec.events.some((e) => (e.event as { eventId?: string }).eventId === deliveryId),
      requests: () => hec.counters.requests,
      fault(kind) {
        if (kind === 'rejected') hec.setMode({ kind: 'code', code: 6 });
        if (kind === 'server-error') hec.setMode({ kind: 'code', code: 8 });
        if (kind === 'throttled') hec.setMode({ kind: 'code', code: 9, retryAfter: '120' });
        if (kind === 'success-unparseable') hec.setMode({ kind: 'garbage-success' });
        if (kind === 'slow') hec.setMode({ kind: 'slow', delayMs: SLOW_MS });
      },
      refusal: { code: 'SINK_REJECTED', status: 400 },
      reset: () => hec.setMode({ kind: 'normal' }),
      secrets: [token],
      close: () => hec.close(),
    };
  },

  async sentinel() {
    const token = `bearer-${randomBytes(16).toString('hex')}`;
    const dcr = `dcr-${randomBytes(16).toString('hex')}`;
    const ingest = await startLogsIngestionEmulator({ token, rules: { [dcr]: ['Custom-IpEnrichment_CL'] } });
    const arm = await startArmEmulator({ token });
    const limits = await sentinelDeps();
    return {
      createSink: () =>
        createSentinelSink(
          { ingestionEndpoint: ingest.url, dcrImmutableId: dcr, armEndpoint: arm.url, workspaces: 'any', attempts: 2, backoffBaseMs: 5, timeoutMs: 10_000 },
          limits.deps(staticTokenSource(token)),
        ),
      // From an incident, so the delivery has a second step (the comment) that answers with a body.
      result: () => sampleResult({ incidentArmId: arm.addIncident() }),
      holds: (deliveryId, result) =>
        ingest.rows.some((row) => row.DeliveryId === deliveryId) && arm.commentsOf(result.incidentArmId ?? '').length === 1,
      requests: () => ingest.counters.requests + arm.counters.requests,
      fault(kind) {
        if (kind === 'rejected') ingest.setMode({ kind: 'status', status: 400, code: 'InvalidStream' });
        if (kind === 'server-error') ingest.setMode({ kind: 'status', status: 500 });
        if (kind === 'throttled') ingest.setMode({ kind: 'status', status: 429, retryAfter: '120' });
        if (kind === 'success-unparseable') arm.setMode({ kind: 'garbage-success' });
        if (kind === 'slow') ingest.setMode({ kind: 'slow', delayMs: SLOW_MS });
      },
      refusal: { code: 'SINK_REJECTED', status: 400 },
      reset() {
        ingest.setMode({ kind: 'normal' });
        arm.setMode({ kind: 'normal' });
      },
      secrets: [token],
      async close() {
        await ingest.close();
        await arm.close();
        await limits.close();
      },
    };
  },
};

describe.each(CONNECTORS.map((connector) => connector.name))('sink contract: %s', (name) => {
  let harness: Harness;
  const sinks: Sink[] = [];
  const sink = (): Sink => {
    const created = harness.createSink();
    sinks.push(created);
    return created;
  };
  const deliveryId = (): string => `msg_${randomUUID()}`;
  const expectNoSecrets = (error: Error): void => {
    const text = `${error.message} ${JSON.stringify(error)} ${JSON.stringify((error as { details?: unknown }).details ?? {})}`;
    for (const secret of harness.secrets) expect(text).not.toContain(secret);
  };

  beforeAll(async () => {
    const start = harnesses[name];
    if (start === undefined) throw new Error(`no harness ${name}`);
    harness = await start();
  });
  afterEach(async () => {
    harness.reset();
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(() => harness.close());

  it('resolves once the destination accepted the write', async () => {
    const result = harness.result();
    const id = deliveryId();
    await sink().deliver(result, { deliveryId: id });
    expect(harness.holds(id, result)).toBe(true);
  });

  it('fails a permanent refusal at once, not retryable, with no secret', async () => {
    harness.fault('rejected');
    const before = harness.requests();
    const error = await failure(sink().deliver(harness.result(), { deliveryId: deliveryId() }));
    expect(error.code).toBe(harness.refusal.code);
    expect(error.retryable).toBe(false);
    expect(error.statusCode).toBe(harness.refusal.status);
    expect(harness.requests() - before).toBe(1);
    expectNoSecrets(error);
  });

  it('fails a 5xx retryable', async () => {
    harness.fault('server-error');
    const error = await failure(sink().deliver(harness.result(), { deliveryId: deliveryId() }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBeGreaterThanOrEqual(500);
    expectNoSecrets(error);
  });

  it('fails a throttled write retryable, carrying Retry-After for the worker', async () => {
    harness.fault('throttled');
    const before = harness.requests();
    const error = await failure(sink().deliver(harness.result(), { deliveryId: deliveryId() }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(120_000);
    // Too long to sleep on in-process: exactly one request.
    expect(harness.requests() - before).toBe(1);
  });

  it('never re-sends after a success whose body could not be parsed', async () => {
    harness.fault('success-unparseable');
    const result = harness.result();
    const id = deliveryId();
    const before = harness.requests();
    await sink().deliver(result, { deliveryId: id });
    const used = harness.requests() - before;
    expect(harness.holds(id, result)).toBe(true);
    harness.reset();
    // The same delivery done cleanly takes as many requests: nothing was repeated above.
    const again = harness.requests();
    await sink().deliver(harness.result(), { deliveryId: deliveryId() });
    expect(used).toBe(harness.requests() - again);
  });

  it('honours an already aborted signal without sending anything', async () => {
    const before = harness.requests();
    const error = await failure(sink().deliver(harness.result(), { deliveryId: deliveryId(), signal: AbortSignal.abort() }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.details?.aborted).toBe(true);
    expect(harness.requests()).toBe(before);
  });

  it('honours an abort while the destination is slow', async () => {
    harness.fault('slow');
    const controller = new AbortController();
    const id = deliveryId();
    const result = harness.result();
    const before = harness.requests();
    const delivering = failure(sink().deliver(result, { deliveryId: id, signal: controller.signal }));
    await waitFor('the delivery at the destination', () => harness.requests() > before, 20_000, 5);
    controller.abort();
    const error = await delivering;
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.details?.aborted).toBe(true);
    // It ended mid-request: the destination, still sitting on its answer, holds nothing of it. (The slow
    // answer would come after the sink's own 10 s time-out, so `aborted` can only be the caller's abort.)
    expect(harness.holds(id, result)).toBe(false);
  });

  it('closes idempotently and refuses deliveries after close', async () => {
    const s = sink();
    await s.deliver(harness.result(), { deliveryId: deliveryId() });
    await s.close();
    await s.close();
    const before = harness.requests();
    const error = await failure(s.deliver(harness.result(), { deliveryId: deliveryId() }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(harness.requests()).toBe(before);
  });
});
