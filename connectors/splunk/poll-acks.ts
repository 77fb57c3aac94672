import { setTimeout as sleep } from 'node:timers/promises';
import { IpenrichError } from '../../src/errors.js';
import type { HttpTransport } from '../../src/http/transport.js';
import { hecError, hecTransportError, parseHecReply } from './hec-response.js';
import { hecOutcome } from './hec-codes.js';

export interface PollAcksInput {
  readonly transport: HttpTransport;
  readonly baseUrl: string;
  readonly token: string;
  readonly channel: string;
  readonly ackIds: readonly number[];
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly now: () => number;
}

function readAcks(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { acks?: unknown };
    return parsed.acks !== null && typeof parsed.acks === 'object' ? (parsed.acks as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Indexer acknowledgement: poll `POST /services/collector/ack` `{"acks":[…]}` on the same channel
 * until every id answers true. Not acknowledged in time is a temporary failure: the worker re-sends
 * (at-least-once; events carry a stable eventId for dedup).
 * https://docs.splunk.com/Documentation/Splunk/9.3.0/Data/AboutHECIDXAck
 */
export async function pollAcks(input: PollAcksInput): Promise<void> {
  const pending = new Set(input.ackIds);
  const deadline = input.now() + input.timeoutMs;
  while (pending.size > 0) {
    let response;
    try {
      response = await input.transport.request({
        method: 'POST',
        url: new URL('/services/collector/ack', input.baseUrl),
        headers: {
          authorization: `Splunk ${input.token}`,
          'content-type': 'application/json',
          'x-splunk-request-channel': input.channel,
        },
        body: JSON.stringify({ acks: [...pending] }),
        timeoutMs: input.requestTimeoutMs,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      });
    } catch (error) {
      throw hecTransportError(error);
    }
    const acks = response.status === 200 ? readAcks(response.body) : undefined;
    if (acks === undefined) {
      const reply = parseHecReply(response.body);
      if (hecOutcome(response.status, reply?.code) !== 'accepted') throw hecError(response, reply, input.token, input.now());
    } else {
      for (const id of [...pending]) if (acks[String(id)] === true) pending.delete(id);
    }
    if (pending.size === 0) return;
    if (input.now() + input.pollIntervalMs > deadline) {
      throw new IpenrichError('SINK_UNAVAILABLE', `Splunk did not acknowledge indexing of ${pending.size} batch(es) within ${input.timeoutMs} ms`, {
        details: { unacknowledged: [...pending] },
      });
    }
    try {
      await sleep(input.pollIntervalMs, undefined, { signal: input.signal });
    } catch (abort) {
      throw new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted while waiting for Splunk acknowledgement', {
        cause: abort,
        details: { aborted: true },
      });
    }
  }
}
