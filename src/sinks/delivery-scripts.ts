import { readFileSync } from 'node:fs';
import type { Redis } from '../redis/connection.js';

/** The Lua script behind delivery-state writes (./lua, read from beside this module like the budget scripts). */
const HSET_EXPIRE = readFileSync(new URL('./lua/hset-expire-1.lua', import.meta.url), 'utf8');

export interface DeliveryScripts {
  /** HSET the field/value pairs and EXPIRE the hash, atomically. */
  ipenrichHsetExpire(key: string, ttlSeconds: number, ...fieldsAndValues: string[]): Promise<number>;
}

const defined = new WeakSet<Redis>();

/** Defines the script on a connection once (ioredis then sends EVALSHA) and returns the connection typed with it. */
export function deliveryScripts(redis: Redis): DeliveryScripts {
  if (!defined.has(redis)) {
    redis.defineCommand('ipenrichHsetExpire', { lua: HSET_EXPIRE, numberOfKeys: 1 });
    defined.add(redis);
  }
  // defineCommand adds the method at run time; ioredis has no way to type it.
  return redis as unknown as DeliveryScripts;
}
