import { afterAll, beforeAll } from 'vitest';
import type { Redis } from '../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../src/redis/keys.js';
import { connectTestRedis, uniquePrefix } from './redis.js';

export interface RedisSuite {
  readonly prefix: string;
  readonly keys: KeySpace;
  /** The suite's connection (open between beforeAll and afterAll). */
  readonly redis: () => Redis;
  /** A tenant name no other test of the suite uses. */
  readonly tenant: () => string;
}

/** For a describe block: a connection to the test Redis, a key prefix of its own, deleted afterwards. */
export function useRedisSuite(label: string): RedisSuite {
  const prefix = uniquePrefix(label);
  let connection: Redis | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let seq = 0;
  beforeAll(async () => {
    ({ redis: connection, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup?.());
  return {
    prefix,
    keys: keySpace(prefix),
    redis: () => {
      if (!connection) throw new Error('the suite\'s Redis is open only inside its tests');
      return connection;
    },
    tenant: () => `t${(seq += 1)}`,
  };
}
