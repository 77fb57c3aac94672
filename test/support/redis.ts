import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { inject } from 'vitest';
import { createAlertsQueue, type AlertsQueue } from '../../src/queue/alerts-queue.js';
import { createRedis, type Redis } from '../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../src/redis/keys.js';

/** URL of the real Redis the run uses (REDIS_URL, or the one global setup started). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test shares, so tests run in parallel against one Redis. */
export function uniquePrefix(label = 't'): string {
  return `ipe-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** A connection that the caller closes; `cleanup` deletes every key under `prefix`. */
export async function connectTestRedis(prefix: string): Promise<{ redis: Redis; cleanup: () => Promise<void> }> {
  const redis = createRedis(testRedisUrl());
  await redis.ping();
  return {
    redis,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/** As connectTestRedis, with the alerts queue under `prefix`; `cleanup` also closes the queue. */
export async function connectTestQueue(prefix: string): Promise<{ redis: Redis; keys: KeySpace; queue: AlertsQueue; cleanup: () => Promise<void> }> {
  const { redis, cleanup } = await connectTestRedis(prefix);
  const keys = keySpace(prefix);
  const queue = createAlertsQueue(redis, keys);
  return {
    redis,
    keys,
    queue,
    async cleanup() {
      await queue.close();
      await cleanup();
    },
  };
}

/**
 * Counts the commands Redis runs that name `key` (MONITOR on a connection of its own): how a test
 * learns that another client has reached a step, e.g. tried a lock that is held, without sleeping.
 * A plain socket, not ioredis' monitor(): ioredis takes a monitor line that arrives right behind
 * MONITOR's +OK, before it has switched modes, for a reply to no command and throws ("Command queue
 * state error"), which a busy shared Redis made happen in CI.
 */
export async function watchKey(key: string): Promise<{ count(command: string): number; stop(): Promise<void> }> {
  const url = new URL(testRedisUrl());
  const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
  socket.on('error', () => undefined); // stop() destroys it; a test that needs it fails on its counts
  socket.setEncoding('utf8');
  const counts = new Map<string, number>();
  const auth = url.password ? [`AUTH ${decodeURIComponent(url.username || 'default')} ${decodeURIComponent(url.password)}`] : [];
  let awaitingOk = auth.length + 1;
  let monitoring = (): void => undefined;
  let refused = (_error: Error): void => undefined;
  const started = new Promise<void>((resolve, reject) => {
    monitoring = resolve;
    refused = reject;
  });
  let buffer = '';
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (awaitingOk > 0) {
        if (line !== '+OK') refused(new Error(`watchKey: MONITOR refused: ${line}`));
        awaitingOk -= 1;
        if (awaitingOk === 0) monitoring();
        continue;
      }
      // +<time> [<db> <client>] "command" "arg" …, each argument quoted with \" and \\ escaped.
      const [command = '', ...args] = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => (match[1] ?? '').replace(/\\(["\\])/g, '$1'));
      if (args.includes(key)) counts.set(command.toLowerCase(), (counts.get(command.toLowerCase()) ?? 0) + 1);
    }
  });
  await once(socket, 'connect');
  socket.write([...auth, 'MONITOR'].map((command) => `${command}\r\n`).join(''));
  await started;
  return {
    count: (command) => counts.get(command.toLowerCase()) ?? 0,
    stop() {
      socket.destroy();
      return Promise.resolve();
    },
  };
}
