import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryDisabledEndpoints,
  createRedisDisabledEndpoints,
  createWebhookSink,
  type ResolveHost,
} from '../../../connectors/webhook/index.js';
import type { IpenrichError } from '../../../src/errors.js';
import { keySpace } from '../../../src/redis/keys.js';
import type { Sink } from '../../../src/sinks/port.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';
import { failure } from './support/failure.js';
import { sampleResult } from './support/sample-result.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('webhook sink against a Standard Webhooks receiver', () => {
  let receiver: WebhookReceiver;
  const sinks: Sink[] = [];
  const sink = (options: Partial<Parameters<typeof createWebhookSink>[0]> = {}, deps: Parameters<typeof createWebhookSink>[1] = {}): Sink => {
    const created = createWebhookSink({ url: receiver.url, secret, backoffBaseMs: 5, ...options }, deps);
    sinks.push(created);
    return created;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret });
  });
  afterEach(async () => {
    receiver.setMode('accept');
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(() => receiver.close());

  it('posts the result in the signed envelope with webhook-id = deliveryId', async () => {
    const result = sampleResult();
    const deliveryId = `dlv_${randomUUID()}`;
    await sink().deliver(result, { deliveryId });
    const delivery = receiver.deliveries.get(deliveryId);
    expect(delivery?.payload).toEqual({ type: 'ipenrich.alert.enriched', timestamp: result.completedAt, data: result });
    expect(delivery?.path).toBe('/hooks/ipenrich');
  });

  it('retries 503 in-process with the same webhook-id and the same body', async () => {
    const deliveryId = `dlv_${randomUUID()}`;
    receiver.setMode({ status: 503, retryAfter: '0' }, 2);
    await sink().deliver(sampleResult(), { deliveryId });
    const tries = receiver.attempts.filter((a) => a.id === deliveryId);
    expect(tries.map((a) => a.status)).toEqual([503, 503, 204]);
    expect(new Set(tries.map((a) => a.body)).size).toBe(1);
    expect(tries.every((a) => a.verified)).toBe(true);
  });

  it('gives up after the configured attempts with SINK_UNAVAILABLE', async () => {
    const deliveryId = `dlv_${randomUUID()}`;
    receiver.setMode({ status: 502 });
    const error = await failure(sink({ attempts: 3 }).deliver(sampleResult(), { deliveryId }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBe(502);
    expect(receiver.attempts.filter((a) => a.id === deliveryId)).toHaveLength(3);
  });

  it('hands a long Retry-After to the worker instead of sleeping on it', async () => {
    const deliveryId = `dlv_${randomUUID()}`;
    receiver.setMode({ status: 429, retryAfter: '120' });
    const error = await failure(sink().deliver(sampleResult(), { deliveryId }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryAfterMs).toBe(120_000);
    expect(receiver.attempts.filter((a) => a.id === deliveryId)).toHaveLength(1);
  });

  it('retries every non-2xx but 410, 4xx included (a receiver answering 404 while it redeploys), with the receiver reason', async () => {
    // Standard Webhooks: every non-2xx except 410 is a failure retried on the schedule (contracts.md §0).
    const timeoutId = `dlv_${randomUUID()}`;
    receiver.setMode({ status: 408 }, 1);
    await sink().deliver(sampleResult(), { deliveryId: timeoutId });
    expect(receiver.attempts.filter((a) => a.id === timeoutId).map((a) => a.status)).toEqual([408, 204]);

    const redeployId = `dlv_${randomUUID()}`;
    receiver.setMode({ status: 404 }, 1);
    await sink().deliver(sampleResult(), { deliveryId: redeployId });
    expect(receiver.attempts.filter((a) => a.id === redeployId).map((a) => a.status)).toEqual([404, 204]);

    const refusedId = `dlv_${randomUUID()}`;
    receiver.setMode({ status: 422, body: '{"error":"unknown tenant"}' });
    const error = await failure(sink({ attempts: 2 }).deliver(sampleResult(), { deliveryId: refusedId }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBe(422);
    expect(error.message).toContain('unknown tenant');
    expect(receiver.attempts.filter((a) => a.id === refusedId)).toHaveLength(2);
  });

  it('never follows a redirect: a 3xx is a failure retried like any other', async () => {
    const elsewhere = await startWebhookReceiver({ secret });
    try {
      const deliveryId = `dlv_${randomUUID()}`;
      receiver.setMode({ status: 307, location: elsewhere.url });
      const error = await failure(sink({ attempts: 1 }).deliver(sampleResult(), { deliveryId }));
      expect(error.code).toBe('SINK_UNAVAILABLE');
      expect(error.message).toMatch(/redirect/);
      expect(elsewhere.counters.requests).toBe(0);
      expect(receiver.attempts.filter((a) => a.id === deliveryId)).toHaveLength(1);
    } finally {
      await elsewhere.close();
    }
  });

  it('disables an endpoint that answered 410 for every worker sharing Redis, until re-enabled', async () => {
    const prefix = uniquePrefix('webhook');
    const { redis, cleanup } = await connectTestRedis(prefix);
    try {
      const key = keySpace(prefix).disabledEndpoints();
      const first = sink({}, { disabledEndpoints: createRedisDisabledEndpoints(redis, key) });
      let clock = Date.now();
      const second = sink({}, { disabledEndpoints: createRedisDisabledEndpoints(redis, key, { now: () => clock }) });
      receiver.setMode({ status: 410 }, 1);
      const gone = await failure(first.deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
      expect(gone.code).toBe('SINK_DISABLED');
      expect(await redis.hlen(key)).toBe(1);
      // The stored note carries no query string or credentials.
      expect(Object.values(await redis.hgetall(key)).join()).not.toContain('?');

      const before = receiver.counters.requests;
      const disabled = await failure(second.deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
      expect(disabled.code).toBe('SINK_DISABLED');
      expect(receiver.counters.requests).toBe(before);

      await createRedisDisabledEndpoints(redis, key).enable(new URL(receiver.url));
      clock += 1_001; // another worker's answer is remembered for up to a second
      const deliveryId = `dlv_${randomUUID()}`;
      await second.deliver(sampleResult(), { deliveryId });
      expect(receiver.deliveries.has(deliveryId)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('times out a slow receiver', async () => {
    receiver.setMode({ status: 204, delayMs: 3_000 }, 1);
    const error = await failure(sink({ timeoutMs: 200, attempts: 1 }).deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.details?.timeout).toBe(true);
  });

  it('keeps the secret and URL credentials out of errors, even when the receiver echoes the secret', async () => {
    const url = new URL(receiver.url);
    url.username = 'hookuser';
    url.password = 'url-password-123';
    url.search = '?token=query-token-456';
    receiver.setMode({ status: 400, body: `bad signature for key ${secret}` });
    const error = await failure(sink({ url: url.href, attempts: 1 }).deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
    const text = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(error.details ?? {})}`;
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(text).toContain('bad signature for key');
    for (const leaked of [secret, secret.slice(6), 'url-password-123', 'query-token-456']) expect(text).not.toContain(leaked);

    receiver.setMode('accept');
    const closedPort = new URL(receiver.url);
    closedPort.port = '1';
    closedPort.search = '?token=query-token-456';
    const network = await failure(sink({ url: closedPort.href, attempts: 1 }).deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
    expect(network.code).toBe('SINK_UNAVAILABLE');
    expect(network.message).not.toContain('query-token-456');
  });

  it('keeps the URL\'s query and credentials out of errors when the receiver echoes its request path (Logic Apps does)', async () => {
    const sig = `sig${randomBytes(12).toString('hex')}`;
    const url = new URL(receiver.url);
    url.pathname = '/echourl/workflows';
    url.search = `?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;
    const target = `${url.pathname}${url.search}`;
    // Relative and absolute, as sent and decoded, and only the credential.
    receiver.setMode({ status: 400, body: `Invalid request to ${target} (${decodeURIComponent(target)}; ${url.href}); the sig ${sig} is not valid` });
    const error = await failure(sink({ url: url.href, attempts: 1 }).deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
    const text = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(error.details ?? {})}`;
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.message).toContain('answered 400: Invalid request to /echourl/workflows?');
    expect(text).not.toContain(sig);
    expect(text).not.toContain('sp=%2Ftriggers');
  });

  it('keeps a token in the URL\'s path (Slack, Teams) out of errors, whether we name the URL or the receiver echoes it', async () => {
    // Fixed, not random: a random token reads as a name once in about 10,000 (redact-url.test.ts measures it).
    const token = 'q7Rk2VxN9pLw4TzB8mHc3sYd';
    const url = new URL(receiver.url);
    url.pathname = `/services/T0123ABCD/B0456EFGH/${token}`;
    receiver.setMode({ status: 400, body: `no_service: ${url.pathname} (${url.href})` });
    const echoed = await failure(sink({ url: url.href, attempts: 1 }).deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
    expect(echoed.code).toBe('SINK_UNAVAILABLE');
    expect(echoed.message).toContain('/services/T0123ABCD/B0456EFGH/');
    expect(`${echoed.message} ${JSON.stringify(echoed.details ?? {})}`).not.toContain(token);

    receiver.setMode('accept');
    const closedPort = new URL(url);
    closedPort.port = '1';
    const network = await failure(sink({ url: closedPort.href, attempts: 1 }).deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}` }));
    expect(network.code).toBe('SINK_UNAVAILABLE');
    expect(network.message).toContain('/services/T0123ABCD/B0456EFGH/REDACTED');
    expect(`${network.message} ${JSON.stringify(network.details ?? {})}`).not.toContain(token);
  });

  it('goes through the HTTPS proxy for the configured URL, unless the host is in NO_PROXY', async () => {
    const tunnels: string[] = [];
    const sockets = new Set<Socket>();
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      sockets.add(client);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const viaProxy = `dlv_${randomUUID()}`;
      await sink({ httpsProxy: proxyUrl }).deliver(sampleResult(), { deliveryId: viaProxy });
      expect(receiver.deliveries.has(viaProxy)).toBe(true);
      expect(tunnels).toEqual([new URL(receiver.url).host]);

      const direct = `dlv_${randomUUID()}`;
      await sink({ httpsProxy: proxyUrl, noProxy: '127.0.0.1' }).deliver(sampleResult(), { deliveryId: direct });
      expect(receiver.deliveries.has(direct)).toBe(true);
      expect(tunnels).toHaveLength(1);
    } finally {
      // Tunnels leave the HTTP server's bookkeeping: end them, or close() waits for keep-alive.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('refuses options without a valid whsec_ secret, without echoing it', () => {
    expect(() => createWebhookSink({ url: 'https://127.0.0.1/', secret: 'not-a-whsec-secret-value' })).toThrow(/CONFIG|secret/);
    let thrown: unknown;
    try {
      createWebhookSink({ url: 'https://127.0.0.1/', secret: 'whsec_dG9vc2hvcnQ=' });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as IpenrichError).code).toBe('CONFIG_INVALID');
    expect((thrown as Error).message).not.toContain('dG9vc2hvcnQ');
  });
});

describe('per-alert callback URLs (SSRF rules)', () => {
  let receiver: WebhookReceiver;
  let configured: WebhookReceiver;
  const sinks: Sink[] = [];
  const sink = (options: Partial<Parameters<typeof createWebhookSink>[0]>, resolveHost?: ResolveHost): Sink => {
    const created = createWebhookSink(
      { url: configured.url, secret, ...options },
      { disabledEndpoints: createMemoryDisabledEndpoints(), ...(resolveHost ? { resolveHost } : {}) },
    );
    sinks.push(created);
    return created;
  };
  const port = (): string => new URL(receiver.url).port;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret });
    configured = await startWebhookReceiver({ secret });
  });
  afterEach(() => Promise.all(sinks.splice(0).map((s) => s.close())));
  afterAll(async () => {
    await receiver.close();
    await configured.close();
  });

  async function refused(s: Sink, callbackUrl: string): Promise<IpenrichError> {
    const before = receiver.counters.requests + configured.counters.requests;
    const error = await failure(s.deliver(sampleResult(), { deliveryId: `dlv_${randomUUID()}`, callbackUrl }));
    expect(receiver.counters.requests + configured.counters.requests).toBe(before);
    return error;
  }

  it('refuses hosts that are not on the allowlist, before resolving them', async () => {
    let lookups = 0;
    const resolver: ResolveHost = () => {
      lookups += 1;
      return Promise.resolve([{ address: '8.8.8.8', family: 4 }]);
    };
    const error = await refused(sink({ callbackAllowlist: ['hooks.example.com'] }, resolver), 'https://evil.example.org/collect');
    expect(error.code).toBe('CALLBACK_URL_REFUSED');
    expect(error.retryable).toBe(false);
    expect(lookups).toBe(0);
  });

  it('refuses loopback by default even when the host is allowlisted', async () => {
    const s = sink({ callbackAllowlist: ['127.0.0.1', 'localhost', '[::1]'] });
    expect((await refused(s, `https://127.0.0.1:${port()}/cb`)).message).toMatch(/loopback/);
    expect((await refused(s, `https://localhost:${port()}/cb`)).code).toBe('CALLBACK_URL_REFUSED');
    expect((await refused(s, `https://[::1]:${port()}/cb`)).code).toBe('CALLBACK_URL_REFUSED');
    // Alternative spellings the URL parser normalizes to 127.0.0.1 are caught too.
    expect((await refused(sink({ callbackAllowlist: ['127.0.0.1'] }), `https://2130706433:${port()}/cb`)).code).toBe('CALLBACK_URL_REFUSED');
    expect((await refused(sink({ callbackAllowlist: ['127.0.0.1'] }), `https://0x7f.1:${port()}/cb`)).code).toBe('CALLBACK_URL_REFUSED');
  });

  it('checks every resolved address, not only the first', async () => {
    const resolver: ResolveHost = () => Promise.resolve([{ address: '8.8.8.8', family: 4 }, { address: '169.254.169.254', family: 4 }]);
    const error = await refused(sink({ callbackAllowlist: ['*.example.com'] }, resolver), 'https://hooks.example.com/cb');
    expect(error.message).toMatch(/169\.254\.169\.254.*linkLocal/);
  });

  it('refuses IPv4-mapped IPv6, plain http and credentials in the URL', async () => {
    const resolver: ResolveHost = () => Promise.resolve([{ address: '::ffff:10.0.0.5', family: 6 }]);
    expect((await refused(sink({ callbackAllowlist: ['*.example.com'] }, resolver), 'https://a.example.com/')).message).toMatch(/private/);
    const publicResolver: ResolveHost = () => Promise.resolve([{ address: '8.8.8.8', family: 4 }]);
    expect((await refused(sink({ callbackAllowlist: ['a.example.com'] }, publicResolver), 'http://a.example.com/')).message).toMatch(/https/);
    const withCredentials = await refused(sink({ callbackAllowlist: ['a.example.com'] }, publicResolver), 'https://u:cb-password@a.example.com/');
    expect(withCredentials.message).toMatch(/credentials/);
    expect(withCredentials.message).not.toContain('cb-password');
  });

  it('delivers to an allowlisted callback, instead of the configured URL, when private callbacks are allowed', async () => {
    const deliveryId = `dlv_${randomUUID()}`;
    await sink({ callbackAllowlist: ['127.0.0.1'], allowPrivateCallbacks: true }).deliver(sampleResult(), {
      deliveryId,
      callbackUrl: `https://127.0.0.1:${port()}/playbook/42`,
    });
    expect(receiver.deliveries.get(deliveryId)?.path).toBe('/playbook/42');
    expect(configured.deliveries.has(deliveryId)).toBe(false);
  });

  it('connects to the address it checked, never asking DNS again (no rebinding)', async () => {
    const name = 'receiver.ipenrich.test';
    const pems = await generate([{ name: 'commonName', value: name }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: name }] }],
    });
    const pinnedReceiver = await startWebhookReceiver({ secret, tls: { key: pems.private, cert: pems.cert } });
    try {
      let lookups = 0;
      // A rebinding DNS: the first answer is the one checked, later answers point elsewhere.
      const resolver: ResolveHost = () => {
        lookups += 1;
        return Promise.resolve([{ address: lookups === 1 ? '127.0.0.1' : '192.0.2.1', family: 4 }]);
      };
      const deliveryId = `dlv_${randomUUID()}`;
      await sink({ callbackAllowlist: [name], allowPrivateCallbacks: true, ca: pems.cert }, resolver).deliver(sampleResult(), {
        deliveryId,
        callbackUrl: `https://${name}:${new URL(pinnedReceiver.url).port}/cb`,
      });
      // The .test name has no real DNS answer: the delivery could only arrive through the pinned address,
      // and TLS still verified the certificate for the host name.
      expect(pinnedReceiver.deliveries.has(deliveryId)).toBe(true);
      expect(lookups).toBe(1);
    } finally {
      await pinnedReceiver.close();
    }
  });
});
