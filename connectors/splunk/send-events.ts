import type { HttpTransport } from '../../src/http/transport.js';
import type { HecEvent } from './events.js';
import { hecError, hecTransportError, parseHecReply } from './hec-response.js';
import { hecOutcome } from './hec-codes.js';

export interface SendEventsInput {
  readonly transport: HttpTransport;
  readonly baseUrl: string;
  readonly token: string;
  readonly channel: string | undefined;
  readonly batch: readonly HecEvent[];
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly now: () => number;
}

/** What HEC said about an accepted batch: the ack id when indexer acknowledgement is on. */
export interface SentBatch {
  readonly ackId: number | undefined;
  /** The body was a HEC reply (`{text, code}`); false for a 200 whose body could not be read. */
  readonly replied: boolean;
}

/**
 * POST one batch (concatenated JSON events) to the JSON event endpoint. A 200 whose body cannot
 * be read is still an acceptance: the events are in, and re-sending them would duplicate them.
 * https://help.splunk.com/en/splunk-enterprise/get-data-in/collect-http-event-data/http-event-collector-rest-api-endpoints
 */
export async function sendEvents(input: SendEventsInput): Promise<SentBatch> {
  let response;
  try {
    response = await input.transport.request({
      method: 'POST',
      url: new URL('/services/collector/event', input.baseUrl),
      headers: {
        authorization: `Splunk ${input.token}`,
        'content-type': 'application/json',
        ...(input.channel === undefined ? {} : { 'x-splunk-request-channel': input.channel }),
      },
      body: input.batch.map((event) => event.json).join(''),
      timeoutMs: input.timeoutMs,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    throw hecTransportError(error);
  }
  const reply = parseHecReply(response.body);
  if (hecOutcome(response.status, reply?.code) !== 'accepted') {
    throw hecError(response, reply, input.token, input.now());
  }
  return { ackId: reply?.ackId, replied: reply !== undefined };
}
