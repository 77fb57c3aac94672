import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis as SingleNodeRedis } from 'ioredis';
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
 */
export async function watchKey(key: string): Promise<{ count(command: string): number; stop(): Promise<void> }> {
  const watcher = new SingleNodeRedis(testRedisUrl(), { lazyConnect: true });
  await watcher.connect();
  const monitor = await watcher.monitor();
  const counts = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[]) => {
    const [command = ''] = args;
    if (args.slice(1).includes(key)) counts.set(command.toLowerCase(), (counts.get(command.toLowerCase()) ?? 0) + 1);
  });
  return {
    count: (command) => counts.get(command.toLowerCase()) ?? 0,
    stop() {
      monitor.disconnect();
      watcher.disconnect();
      return Promise.resolve();
    },
  };
}
