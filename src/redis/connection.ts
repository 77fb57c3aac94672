import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/**
 * One factory for every Redis connection. `maxRetriesPerRequest: null` is what BullMQ workers need
 * (commands wait for a reconnect instead of failing); the reconnect backoff is capped so a Redis
 * restart is picked up within a few seconds.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), 2_000),
    ...options,
  });
}
