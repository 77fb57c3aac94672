import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory unless `keepDir`. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

export interface LocalRedisOptions {
  port?: number;
  dir?: string;
  /** Append-only persistence, for tests that restart Redis and expect the data back. */
  appendOnly?: boolean;
  binary?: string;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the redis-server `child` answers PING at `url`; fails if it exits or stays silent 10 s. */
export async function waitForRedisPing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server at ${url} exited with code ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server at ${url} did not answer PING within 10 s`);
}

/**
 * Starts `redis-server` from PATH on a free loopback port in a temporary directory.
 * Used by the test harness and by `ipenrich demo`; production deployments bring their own Redis.
 */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ipenrich-redis-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no',
    '--appendfsync', 'everysec',
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ];
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server is not installed (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), or set REDIS_URL')
          : error,
      );
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForRedisPing(url, child), spawnError]);

  let stopped = false;
  return {
    url,
    port,
    dir,
    async stop(stopOptions = {}) {
      if (!stopped) {
        stopped = true;
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
      }
      if (!stopOptions.keepDir && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
