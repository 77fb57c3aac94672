/**
 * A minimal HTTP CONNECT proxy on 127.0.0.1, as enterprise networks put in front of the internet:
 * tests point HTTPS_PROXY at it and read `counters` to prove a request went through it. It tunnels
 * only to 127.0.0.1 (the tests never reach the internet), and with `credentials` it answers 407
 * unless `Proxy-Authorization: Basic …` matches.
 *
 *   const proxy = await startConnectProxy({ credentials: { user: 'u', password: 'p' } });
 *   createHttpTransport({ httpsProxy: proxy.urlWithCredentials });
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

interface ConnectProxyCounters {
  /** CONNECT requests answered 200 (one per tunnel, so one per new keep-alive connection). */
  tunnels: number;
  /** `host:port` of every tunnel, in order. */
  targets: string[];
  refusedAuth: number;
  refusedTarget: number;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://user:password@127.0.0.1:<port>` when credentials are required, else `url`. */
  readonly urlWithCredentials: string;
  readonly counters: ConnectProxyCounters;
  close(): Promise<void>;
}

export async function startConnectProxy(options: { credentials?: { user: string; password: string } } = {}): Promise<ConnectProxy> {
  const counters: ConnectProxyCounters = { tunnels: 0, targets: [], refusedAuth: 0, refusedTarget: 0 };
  const expectedAuth = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const sockets = new Set<Socket>();
  const server = createServer((_request, response) => {
    response.writeHead(405, { 'content-type': 'text/plain' });
    response.end('only CONNECT is supported');
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (expectedAuth && request.headers['proxy-authorization'] !== expectedAuth) {
      counters.refusedAuth += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = request.url ?? '';
    const match = /^(127\.0\.0\.1|localhost):(\d+)$/.exec(target);
    if (!match) {
      counters.refusedTarget += 1;
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(match[2]), '127.0.0.1', () => {
      counters.tunnels += 1;
      counters.targets.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const credentials = options.credentials;
  return {
    url,
    urlWithCredentials: credentials ? `http://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}` : url,
    counters,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
