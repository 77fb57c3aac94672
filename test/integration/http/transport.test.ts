import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransport } from '../../../src/http/transport.js';
import { isHttpTransportError, type HttpTransportError } from '../../../src/http/transport-error.js';
import { readBody, startHttpsServer, type RunningHttpsServer } from '../../../src/emulators/https-server.js';
import { waitFor } from '../../support/cli-process.js';

async function transportFailure(promise: Promise<unknown>): Promise<HttpTransportError> {
  try {
    await promise;
  } catch (error) {
    if (isHttpTransportError(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('HTTP transport', () => {
  let server: RunningHttpsServer;
  let transport: HttpTransport;
  const seen: { method: string; url: string; body: string; clientPort: number | undefined }[] = [];

  beforeAll(async () => {
    server = await startHttpsServer(async (request, response) => {
      const body = (await readBody(request)).toString('utf8');
      seen.push({ method: request.method ?? '', url: request.url ?? '', body, clientPort: request.socket.remotePort });
      if (request.url === '/hang') return;
      if (request.url === '/redirect') {
        response.writeHead(302, { location: '/final' });
        response.end();
        return;
      }
      if (request.url === '/broken-body') {
        // A 2xx whose body breaks off: the status line and part of the body, then the connection dies.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('{"partial":', () => response.socket?.destroy());
        return;
      }
      if (request.url === '/big') {
        response.end(Buffer.alloc(64 * 1024, 'x'));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain', 'x-multi': ['a', 'b'] });
      response.end(`you asked ${request.method ?? ''} ${request.url ?? ''}`);
    });
    transport = createHttpTransport({ maxResponseBytes: 32 * 1024 });
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it('returns status, lower-case headers (repeated ones joined) and the body; sends the request body', async () => {
    const response = await transport.request({ method: 'post', url: `${server.url}/echo`, headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-multi']).toBe('a, b');
    expect(response.body.toString()).toBe('you asked POST /echo');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}' });
  });

  it('keeps connections alive between requests', async () => {
    const before = seen.length;
    for (let i = 0; i < 6; i += 1) await transport.request({ method: 'GET', url: `${server.url}/seq-${i}` });
    const ports = new Set(seen.slice(before).map((entry) => entry.clientPort));
    // undici's pool may alternate between two sockets for back-to-back requests, never more.
    expect(ports.size).toBeLessThanOrEqual(2);
    const single = createHttpTransport({ connectionsPerOrigin: 1 });
    try {
      const start = seen.length;
      for (let i = 0; i < 3; i += 1) await single.request({ method: 'GET', url: `${server.url}/single-${i}` });
      expect(new Set(seen.slice(start).map((entry) => entry.clientPort)).size).toBe(1);
    } finally {
      await single.close();
    }
  });

  it('returns a redirect as it is unless asked to follow', async () => {
    const plain = await transport.request({ method: 'GET', url: `${server.url}/redirect` });
    expect(plain.status).toBe(302);
    expect(plain.headers.location).toBe('/final');
    const followed = await transport.request({ method: 'GET', url: `${server.url}/redirect`, maxRedirections: 3 });
    expect(followed.status).toBe(200);
    expect(followed.body.toString()).toBe('you asked GET /final');
  });

  it('times out a request that gets no answer', async () => {
    // /hang never answers: only the 200 ms time-out can end the request, and it must say so.
    const error = await transportFailure(transport.request({ method: 'GET', url: `${server.url}/hang`, timeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('within 200 ms');
  });

  it('reports the caller’s abort as aborted, not as a timeout', async () => {
    const controller = new AbortController();
    const hangsBefore = seen.filter((entry) => entry.url === '/hang').length;
    // /hang never answers and the time-out is far off: only the abort, sent once the server has the request, can end it.
    const pending = transport.request({ method: 'GET', url: `${server.url}/hang`, signal: controller.signal, timeoutMs: 600_000 });
    await waitFor('the request at the server', () => seen.filter((entry) => entry.url === '/hang').length > hangsBefore, 20_000, 5);
    controller.abort();
    expect((await transportFailure(pending)).kind).toBe('aborted');
    expect((await transportFailure(transport.request({ method: 'GET', url: `${server.url}/x`, signal: AbortSignal.abort() }))).kind).toBe('aborted');
  });

  it('refuses a response larger than the limit', async () => {
    expect((await transportFailure(transport.request({ method: 'GET', url: `${server.url}/big` }))).kind).toBe('too-large');
  });

  it('reports a refused connection as network, with a sanitized request summary', async () => {
    const gone = await startHttpsServer(() => undefined);
    await gone.close();
    const error = await transportFailure(
      transport.request({ method: 'GET', url: `https://user:hunter2@${gone.host}/api?sig=s3cr3t&x=1`, headers: { authorization: 'Bearer tok3n' } }),
    );
    expect(error.kind).toBe('network');
    expect(error.message).toContain('ECONNREFUSED');
    const text = `${error.message} ${JSON.stringify(error.request)}`;
    for (const secret of ['hunter2', 's3cr3t', 'tok3n']) expect(text).not.toContain(secret);
    expect(error.request.headerNames).toEqual(['authorization']);
  });

  it('status-first: the status decides, even when the body then breaks off', async () => {
    expect((await transportFailure(transport.request({ method: 'POST', url: `${server.url}/broken-body`, body: '{}' }))).kind).toBe('network');
    const accepted = await transport.requestStatusFirst({ method: 'POST', url: `${server.url}/broken-body`, body: '{}' });
    expect(accepted.status).toBe(200);
    expect(accepted.headers['content-type']).toBe('application/json');
    await accepted.discard();

    const broken = await transport.requestStatusFirst({ method: 'GET', url: `${server.url}/broken-body` });
    expect(isHttpTransportError(await broken.text().catch((thrown: unknown) => thrown))).toBe(true);
    const whole = await transport.requestStatusFirst({ method: 'GET', url: `${server.url}/text` });
    expect(await whole.text()).toBe('you asked GET /text');
  });

  it('status-first: times out a request that gets no answer', async () => {
    const error = await transportFailure(transport.requestStatusFirst({ method: 'GET', url: `${server.url}/hang`, timeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
  });

  it('fails requests after close', async () => {
    const closing = createHttpTransport();
    await closing.close();
    expect((await transportFailure(closing.request({ method: 'GET', url: `${server.url}/x` }))).message).toMatch(/closed/);
  });
});
