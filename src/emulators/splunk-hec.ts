import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emulatorTls } from './tls.js';

/**
 * A Splunk HTTP Event Collector (docs/splunk.md): `Authorization: Splunk <token>` (also Basic with the token as
 * password) and concatenated JSON events (https://help.splunk.com/splunk-enterprise/get-data-in/collect-http-event-data/format-events-for-http-event-collector)
 * on /services/collector[/event[/1.0]] (https://help.splunk.com/en/splunk-enterprise/get-data-in/collect-http-event-data/http-event-collector-rest-api-endpoints),
 * the HEC code table, indexer acknowledgement with channels, and /services/collector/health. Faults can be
 * switched on to test senders. With `cloud`, it behaves as Splunk Cloud's HEC: acknowledgement is
 * off on every token, so events are accepted (with or without a channel) and never get an ackId.
 */

/**
 * Splunk's "Troubleshoot HTTP Event Collector" table, code → [HTTP status, text]:
 * https://help.splunk.com/en/splunk-enterprise/get-data-in/collect-http-event-data/troubleshoot-http-event-collector
 */
const HEC_CODES: Readonly<Record<number, readonly [number, string]>> = {
  0: [200, 'Success'],
  1: [403, 'Token disabled'],
  2: [401, 'Token is required'],
  3: [401, 'Invalid authorization'],
  4: [403, 'Invalid token'],
  5: [400, 'No data'],
  6: [400, 'Invalid data format'],
  7: [400, 'Incorrect index'],
  8: [500, 'Internal server error'],
  9: [503, 'Server is busy'],
  10: [400, 'Data channel is missing'],
  11: [400, 'Invalid data channel'],
  12: [400, 'Event field is required'],
  13: [400, 'Event field cannot be blank'],
  14: [400, 'ACK is disabled'],
  15: [400, 'Error in handling indexed fields'],
  16: [400, 'Query string authorization is not enabled'],
  17: [200, 'HEC is healthy'],
  18: [503, 'HEC is unhealthy, queues are full'],
  19: [503, 'HEC is unhealthy, ack service unavailable'],
  20: [503, 'HEC is unhealthy, queues are full, ack service unavailable'],
  21: [400, 'Invalid token'],
  22: [400, 'Token disabled'],
};

type HecMode =
  | { readonly kind: 'normal' }
  /** Answer event posts with this HEC code (and its HTTP status), optionally with Retry-After. */
  | { readonly kind: 'code'; readonly code: number; readonly retryAfter?: string }
  /** Plain HTTP status without a HEC body (a proxy or load balancer in front of Splunk). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** Accept (and record) the events, answer 200 with a body that is not JSON. */
  | { readonly kind: 'garbage-success' }
  /** Accept, but acknowledgements never become true. */
  | { readonly kind: 'ack-stall' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** Cut every connection without an answer. */
  | { readonly kind: 'down' };

interface ReceivedHecEvent {
  readonly event: unknown;
  readonly time?: unknown;
  readonly host?: unknown;
  readonly source?: unknown;
  readonly sourcetype?: unknown;
  readonly index?: unknown;
  readonly fields?: unknown;
  readonly channel: string | undefined;
  readonly ackId: number | undefined;
  readonly path: string;
}

export interface HecEmulatorOptions {
  readonly token: string;
  /** Indexes the token may write to; any when absent. */
  readonly indexes?: readonly string[];
  /** Indexer acknowledgement enabled on the token (Splunk Enterprise). */
  readonly ack?: boolean;
  /**
   * Splunk Cloud: acknowledgement is off whatever `ack` says (it is a Splunk Enterprise feature:
   * https://docs.splunk.com/Documentation/Splunk/latest/Data/AboutHECIDXAck): a 200 without ackId, and
   * /services/collector/ack answers code 14.
   */
  readonly cloud?: boolean;
  /** Polls needed before an ack id reports true (default 1: true on the first poll). */
  readonly ackAfterPolls?: number;
  readonly port?: number;
  /** Certificate to serve; default: the shared emulator certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface HecEmulator {
  readonly url: string;
  readonly events: readonly ReceivedHecEvent[];
  readonly counters: { requests: number; eventPosts: number; accepted: number; rejected: number; ackPolls: number; health: number };
  /** Apply `mode` to `times` event posts (default: all), after `after` more normal ones (default 0). */
  setMode(mode: HecMode, times?: number, after?: number): void;
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const META_KEYS = ['time', 'host', 'source', 'sourcetype', 'index', 'fields'] as const;

/** Splits concatenated JSON objects (`{…}{…}`, whitespace allowed between) without a streaming parser. */
export function splitConcatenatedJson(text: string): unknown[] | { invalidEventNumber: number } {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (ch === '}') {
      depth -= 1;
      if (depth < 0) return { invalidEventNumber: out.length };
      if (depth === 0) {
        try {
          out.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          return { invalidEventNumber: out.length };
        }
      }
    } else if (depth === 0 && !/\s/.test(ch ?? '')) return { invalidEventNumber: out.length };
  }
  if (depth !== 0 || inString) return { invalidEventNumber: out.length };
  return out;
}

function tokenOf(req: IncomingMessage): { token?: string; malformed: boolean } {
  const auth = req.headers.authorization;
  if (auth === undefined) return { malformed: false };
  const splunk = /^Splunk\s+(\S+)$/.exec(auth);
  if (splunk?.[1] !== undefined) return { token: splunk[1], malformed: false };
  const basic = /^Basic\s+(\S+)$/.exec(auth);
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { token: decoded.slice(colon + 1), malformed: false };
  }
  return { malformed: true };
}

export async function startHecEmulator(given: HecEmulatorOptions): Promise<HecEmulator> {
  const options: HecEmulatorOptions = given.cloud ? { ...given, ack: false } : given;
  const tls = options.tls ?? (await emulatorTls());
  const events: ReceivedHecEvent[] = [];
  const counters = { requests: 0, eventPosts: 0, accepted: 0, rejected: 0, ackPolls: 0, health: 0 };
  let mode: { mode: HecMode; remaining: number; skip: number } = { mode: { kind: 'normal' }, remaining: 0, skip: 0 };
  /** Per channel: next ack id, and polls seen per pending id. */
  const channels = new Map<string, { next: number; polls: Map<number, number>; stalled: Set<number> }>();

  /** The mode now, for health checks (consumes nothing). */
  function currentMode(): HecMode {
    return mode.skip === 0 && mode.remaining > 0 ? mode.mode : { kind: 'normal' };
  }
  /** The mode for one event post, counting it against `after` and `times`. */
  function takeMode(): HecMode {
    if (mode.skip > 0) {
      mode.skip -= 1;
      return { kind: 'normal' };
    }
    if (mode.remaining <= 0) return { kind: 'normal' };
    mode.remaining -= 1;
    return mode.mode;
  }

  function reply(res: ServerResponse, code: number, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
    const [status, text] = HEC_CODES[code] ?? [500, 'Internal server error'];
    if (code !== 0 && code !== 17) counters.rejected += 1;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ text, code, ...extra }));
  }

  function authorize(req: IncomingMessage, res: ServerResponse): boolean {
    const { token, malformed } = tokenOf(req);
    if (malformed) reply(res, 3);
    else if (token === undefined) reply(res, 2);
    else if (token !== options.token) reply(res, 4);
    else return true;
    return false;
  }

  function channelOf(req: IncomingMessage, url: URL): string | undefined {
    const header = req.headers['x-splunk-request-channel'];
    return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('channel') ?? undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    counters.requests += 1;
    const url = new URL(req.url ?? '/', 'https://hec.invalid');
    const path = url.pathname.replace(/\/+$/, '');

    if (path === '/services/collector/health') {
      counters.health += 1;
      const current = currentMode();
      if (current.kind === 'down') return void res.destroy();
      return reply(res, current.kind === 'code' && current.code >= 18 && current.code <= 20 ? current.code : 17);
    }

    if (req.method === 'POST' && path === '/services/collector/ack') {
      if (!authorize(req, res)) return;
      counters.ackPolls += 1;
      if (!options.ack) return reply(res, 14);
      const channel = channelOf(req, url);
      if (channel === undefined) return reply(res, 10);
      const state = channels.get(channel);
      if (!GUID.test(channel) || state === undefined) return reply(res, 11);
      let ids: unknown;
      try {
        ids = (JSON.parse(body) as { acks?: unknown }).acks;
      } catch {
        return reply(res, 6);
      }
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'number')) return reply(res, 6);
      const acks: Record<string, boolean> = {};
      for (const id of ids) {
        const polls = (state.polls.get(id) ?? 0) + 1;
        state.polls.set(id, polls);
        acks[String(id)] = id < state.next && !state.stalled.has(id) && polls >= (options.ackAfterPolls ?? 1);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ acks }));
      return;
    }

    if (req.method !== 'POST' || !EVENT_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"text":"The requested URL was not found on this server.","code":404}');
      return;
    }

    counters.eventPosts += 1;
    const current = takeMode();
    if (current.kind === 'down') return void res.destroy();
    if (current.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, current.delayMs));
    if (res.destroyed) return;
    if (!authorize(req, res)) return;
    if (current.kind === 'code') return reply(res, current.code, {}, current.retryAfter === undefined ? {} : { 'retry-after': current.retryAfter });
    if (current.kind === 'status') {
      counters.rejected += 1;
      res.writeHead(current.status, { 'content-type': 'text/html', ...(current.retryAfter === undefined ? {} : { 'retry-after': current.retryAfter }) });
      res.end(`<html><body>${current.status} from the load balancer</body></html>`);
      return;
    }

    const channel = channelOf(req, url);
    if (options.ack) {
      if (channel === undefined) return reply(res, 10);
      if (!GUID.test(channel)) return reply(res, 11);
    }
    if (body.trim() === '') return reply(res, 5);
    const parsed = splitConcatenatedJson(body);
    if (!Array.isArray(parsed)) return reply(res, 6, { 'invalid-event-number': parsed.invalidEventNumber });
    for (const [number, item] of parsed.entries()) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return reply(res, 6, { 'invalid-event-number': number });
      const record = item as Record<string, unknown>;
      if (!('event' in record)) return reply(res, 12, { 'invalid-event-number': number });
      if (record.event === '' || record.event === null) return reply(res, 13, { 'invalid-event-number': number });
      if (options.indexes !== undefined && record.index !== undefined && (typeof record.index !== 'string' || !options.indexes.includes(record.index))) return reply(res, 7);
      if (record.fields !== undefined && (record.fields === null || typeof record.fields !== 'object' || Array.isArray(record.fields))) {
        return reply(res, 15, { 'invalid-event-number': number });
      }
    }

    let ackId: number | undefined;
    if (options.ack && channel !== undefined) {
      const state = channels.get(channel) ?? { next: 0, polls: new Map(), stalled: new Set<number>() };
      channels.set(channel, state);
      ackId = state.next;
      state.next += 1;
      if (current.kind === 'ack-stall') state.stalled.add(ackId);
    }
    for (const item of parsed as Record<string, unknown>[]) {
      const meta = Object.fromEntries(META_KEYS.filter((key) => key in item).map((key) => [key, item[key]]));
      events.push({ event: item.event, ...meta, channel, ackId, path });
    }
    counters.accepted += 1;
    if (current.kind === 'garbage-success') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>OK</html');
      return;
    }
    reply(res, 0, ackId === undefined ? {} : { ackId });
  }

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    events,
    counters,
    setMode(next, times = Number.POSITIVE_INFINITY, after = 0) {
      mode = { mode: next, remaining: times, skip: after };
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
