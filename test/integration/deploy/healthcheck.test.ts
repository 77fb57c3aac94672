import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer, Socket as NetSocket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { freePort } from '../../../src/redis/local-server.js';
import { testRedisUrl } from '../../support/redis.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ipenrich healthcheck …` in-process, as the Docker HEALTHCHECK runs it in the container. */
async function healthcheck(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const code = await main(['healthcheck', ...args], { stdin: new PassThrough(), stdout, stderr, env });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function expectUnhealthy(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((line) => line.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ipenrich healthcheck: unhealthy: /);
  expect(lines[0]).toMatch(pattern);
}

const servers: Server[] = [];

/** A real HTTP server on loopback standing in for `ipenrich serve`. */
async function ingress(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  })));
});

/** Accepts connections and never answers: what a wedged process or a black-holed port looks like. */
const silentSockets: Socket[] = [];
const silent = createTcpServer((socket) => silentSockets.push(socket));
const silentPort = new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)));
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('ipenrich healthcheck --redis (the worker container)', () => {
  it('is healthy when Redis answers PING', async () => {
    const run = await healthcheck(['--redis'], { REDIS_URL: testRedisUrl() });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^healthy: Redis at 127\.0\.0\.1:\d+ answered PONG\n$/);
  });

  it('is unhealthy, in one line without the password, when nothing listens', async () => {
    const port = await freePort();
    const run = await healthcheck(['--redis'], { REDIS_URL: `redis://:hunter2-redis-password@127.0.0.1:${port}` });
    expectUnhealthy(run, new RegExp(`Redis at 127\\.0\\.0\\.1:${port}`));
    expect(run.stderr).not.toContain('hunter2-redis-password');
  });

  it('gives up on a server that accepts the connection but never answers, and leaves no socket open behind it', async () => {
    const port = await silentPort;
    const run = await healthcheck(['--redis'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    expectUnhealthy(run, /did not answer within \d+ ms/);
    // A socket only ended waits for the server's end, which never comes: it kept the process alive
    // ~2.5 s past the verdict, beyond the 5-s probe timeout of Docker, Compose and Kubernetes.
    // `_getActiveHandles` is Node's own list of what keeps the event loop alive.
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    const open = handles.filter((handle): handle is Socket => handle instanceof NetSocket && handle.remotePort === port && !handle.destroyed);
    expect(open).toHaveLength(0);
  });
});

describe('ipenrich healthcheck --http (the serve container)', () => {
  it('is healthy when /healthz on INGRESS_PORT answers 2xx', async () => {
    const paths: string[] = [];
    const port = await ingress((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    const run = await healthcheck(['--http'], { INGRESS_PORT: String(port) });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`healthy: http://127.0.0.1:${port}/healthz answered 200\n`);
    expect(paths).toEqual(['/healthz']);
  });

  it('is unhealthy when the ingress answers an error status', async () => {
    const port = await ingress((_request, response) => response.writeHead(503).end());
    expectUnhealthy(await healthcheck(['--http'], { INGRESS_PORT: String(port) }), /answered 503$/);
  });

  it('is unhealthy when nothing listens on INGRESS_PORT', async () => {
    const port = await freePort();
    expectUnhealthy(await healthcheck(['--http'], { INGRESS_PORT: String(port) }), /unreachable \(ECONNREFUSED\)/);
  });

  it('gives up on an ingress that never answers', async () => {
    const port = await silentPort;
    expectUnhealthy(await healthcheck(['--http'], { INGRESS_PORT: String(port) }), /did not answer within \d+ ms/);
  });

  it('checks the URL given with --url instead', async () => {
    const port = await ingress((request, response) => response.writeHead(request.url === '/readyz' ? 204 : 404).end());
    const run = await healthcheck(['--url', `http://127.0.0.1:${port}/readyz`], { INGRESS_PORT: '1' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('answered 204');
  });
});

describe('ipenrich healthcheck: bad usage and configuration', () => {
  it('exits 1, never 2 (reserved by Docker), for conflicting flags', async () => {
    expectUnhealthy(await healthcheck(['--http', '--redis'], {}), /choose one of --http, --url and --redis/);
  });

  it('exits 1 for an unknown flag', async () => {
    expectUnhealthy(await healthcheck(['--bogus'], {}), /bogus/);
  });

  it('exits 1 with the configuration problem for an invalid configuration', async () => {
    expectUnhealthy(await healthcheck(['--http'], { INGRESS_PORT: 'eighty' }), /INGRESS_PORT/);
  });
});
