import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createRedis, type Redis } from '../../src/redis/connection.js';

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
