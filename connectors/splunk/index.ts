import { IpenrichError } from '../../src/errors.js';
import { createHttpTransport } from '../../src/http/transport.js';
import type { AlertResult } from '../../src/result/schema.js';
import type { DeliveryContext, DeliveryReceipt, Sink } from '../../src/sinks/port.js';
import { ackOffNote } from './ack-off-note.js';
import { batchEvents, buildEvents } from './events.js';
import { parseSplunkOptions, type SplunkOptionsInput } from './options.js';
import { pollAcks } from './poll-acks.js';
import { sendEvents } from './send-events.js';

export type { SplunkOptionsInput } from './options.js';

export interface SplunkSinkDependencies {
  readonly now?: () => number;
}

/**
 * The Splunk sink: HTTP Event Collector JSON events, batched under a size cap, optionally confirmed
 * by indexer acknowledgement. Each accepted (and acknowledged) batch is recorded in the delivery
 * progress, so a retried job sends only the batches that did not get in.
 */
export function createSplunkSink(input: SplunkOptionsInput, dependencies: SplunkSinkDependencies = {}): Sink {
  const options = parseSplunkOptions(input);
  const now = dependencies.now ?? Date.now;
  const transport = createHttpTransport({
    defaultTimeoutMs: options.timeoutMs,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.httpsProxy === undefined ? {} : { httpsProxy: options.httpsProxy }),
    ...(options.noProxy === undefined ? {} : { noProxy: options.noProxy }),
    maxResponseBytes: 1_048_576,
  });
  const metadata = { index: options.index, source: options.source, sourcetype: options.sourcetype, host: options.host };
  /** SPLUNK_ACK_OFF is said once per sink instance: the worker logs a receipt's notes as a warning. */
  let ackOffSaid = false;
  let closed = false;

  async function deliver(result: AlertResult, context: DeliveryContext): Promise<DeliveryReceipt | void> {
    if (closed) throw new IpenrichError('SINK_UNAVAILABLE', 'The Splunk sink is closed');
    if (context.signal?.aborted) {
      throw new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted before it started', { details: { aborted: true } });
    }
    const done = (await context.progress?.completed()) ?? new Set<string>();
    const events = buildEvents(result, context.deliveryId, metadata, options.eventPerIp).filter((event) => !done.has(event.part));
    const notes: string[] = [];
    for (const batch of batchEvents(events, options.maxBatchBytes)) {
      const sent = await sendEvents({
        transport,
        baseUrl: options.url,
        token: options.token,
        channel: options.ack ? options.channel : undefined,
        batch,
        timeoutMs: options.timeoutMs,
        signal: context.signal,
        now,
      });
      // A 200 without an ackId cannot be polled; it was accepted. A readable one means ack is off on
      // the token (always on Splunk Cloud): said once per sink, the deliveries still succeed.
      if (options.ack && sent.ackId === undefined && sent.replied && !ackOffSaid) {
        ackOffSaid = true;
        notes.push(ackOffNote(options.url));
      }
      if (options.ack && sent.ackId !== undefined) {
        // Waited for even when the worker wants the slot back (SINK_SLOT_YIELD_MS): the batch is with
        // Splunk, and giving up here would send it again, as duplicate events, on the retry.
        await pollAcks({
          transport,
          baseUrl: options.url,
          token: options.token,
          channel: options.channel,
          ackIds: [sent.ackId],
          timeoutMs: options.ackTimeoutMs,
          pollIntervalMs: options.ackPollIntervalMs,
          requestTimeoutMs: options.timeoutMs,
          signal: undefined,
          now,
        });
      }
      await context.progress?.markCompleted(batch.map((event) => event.part));
    }
    return notes.length > 0 ? { notes } : undefined;
  }

  return {
    name: 'splunk',
    deliver,
    async close() {
      if (closed) return;
      closed = true;
      await transport.close();
    },
  };
}
