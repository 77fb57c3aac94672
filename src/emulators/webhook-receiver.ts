import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { emulatorTls } from './tls.js';

/**
 * A Standard Webhooks receiver (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md;
 * docs/webhook.md): verifies `v1` signatures with the reference `standardwebhooks` library (±5 min tolerance:
 * WEBHOOK_TOLERANCE_IN_SECONDS in its dist/index.js), records deliveries by `webhook-id` and counts
 * duplicates. Its answers can be scripted to test senders: statuses, Retry-After, 410, redirects,
 * slowness, and a 2xx whose body breaks off.
 */
interface ReceiverAnswer {
  readonly status: number;
  readonly retryAfter?: string;
  /** Location header, for redirects. */
  readonly location?: string;
  readonly delayMs?: number;
  readonly body?: string;
  /** Send the status and headers, then cut the connection in the middle of the body. */
  readonly breakBody?: boolean;
}

interface ReceivedAttempt {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly path: string;
  readonly body: string;
  readonly verified: boolean;
  readonly verifyError?: string;
  readonly status: number;
}

interface WebhookDelivery {
  readonly id: string;
  readonly path: string;
  readonly body: string;
  /** The parsed, signature-verified payload. */
  readonly payload: unknown;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Every request, in arrival order, with how it was answered. */
  readonly attempts: readonly ReceivedAttempt[];
  /** First accepted delivery per webhook-id. */
  readonly deliveries: ReadonlyMap<string, WebhookDelivery>;
  readonly counters: { requests: number; verified: number; rejectedSignatures: number; accepted: number; duplicates: number };
  /** Answer the next `times` verified requests with `answer` (default: all of them), then accept again. */
  setMode(answer: ReceiverAnswer | 'accept', times?: number): void;
  /** Resolves when `count` distinct webhook-ids have been accepted. */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  /** The `whsec_` secret senders sign with. */
  readonly secret: string;
  /** Certificate to serve; default: the shared emulator certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly port?: number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const verifier = new Webhook(options.secret);
  const tls = options.tls ?? (await emulatorTls());
  const attempts: ReceivedAttempt[] = [];
  const deliveries = new Map<string, WebhookDelivery>();
  const counters = { requests: 0, verified: 0, rejectedSignatures: 0, accepted: 0, duplicates: 0 };
  let scripted: { answer: ReceiverAnswer; remaining: number } | undefined;
  const waiters = new Set<() => void>();

  function answerFor(): ReceiverAnswer {
    if (scripted === undefined || scripted.remaining <= 0) return { status: 204 };
    scripted.remaining -= 1;
    return scripted.answer;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    counters.requests += 1;
    const id = header(req, 'webhook-id');
    const base = { id, timestamp: header(req, 'webhook-timestamp'), signature: header(req, 'webhook-signature'), path: req.url ?? '/', body };

    let payload: unknown;
    try {
      payload = verifier.verify(body, {
        'webhook-id': base.id ?? '',
        'webhook-timestamp': base.timestamp ?? '',
        'webhook-signature': base.signature ?? '',
      });
    } catch (error) {
      counters.rejectedSignatures += 1;
      attempts.push({ ...base, verified: false, verifyError: (error as Error).message, status: 401 });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid signature"}');
      return;
    }
    counters.verified += 1;

    const answer = req.method === 'POST' ? answerFor() : { status: 405 };
    attempts.push({ ...base, verified: true, status: answer.status });
    if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;

    if (answer.status >= 200 && answer.status < 300 && id !== undefined) {
      counters.accepted += 1;
      if (deliveries.has(id)) counters.duplicates += 1;
      else deliveries.set(id, { id, path: base.path, body, payload });
      for (const wake of waiters) wake();
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    if (answer.location !== undefined) headers.location = answer.location;
    if (answer.breakBody) {
      res.writeHead(answer.status, { ...headers, 'content-length': '1000' });
      res.write('{"received":');
      setImmediate(() => res.destroy());
      return;
    }
    res.writeHead(answer.status, headers).end(answer.body ?? '');
  }

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}/hooks/ipenrich`,
    attempts,
    deliveries,
    counters,
    setMode(answer, times = Number.POSITIVE_INFINITY) {
      scripted = answer === 'accept' ? undefined : { answer, remaining: times };
    },
    waitForDeliveries(count, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (deliveries.size < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`webhook receiver: ${deliveries.size} of ${count} deliveries after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
