import type { Socket } from 'node:net';
import type { Redis as SingleNodeRedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { inOneSocketWrite } from '../../../src/redis/one-socket-write.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/** Counts the writes the socket hands to the operating system (net.Socket's _write and _writev). */
function countWrites(redis: Redis): () => number {
  const socket = (redis as SingleNodeRedis).stream as Socket & { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      writes += 1;
      original(...args);
    };
  }
  return () => writes;
}

describe('inOneSocketWrite', () => {
  const prefix = uniquePrefix('one-write');
  let redis: Redis;
  beforeAll(async () => {
    redis = createRedis(testRedisUrl());
    await redis.ping();
  });
  afterAll(async () => {
    await redis.del(`${prefix}:a`, `${prefix}:b`);
    await redis.quit();
  });

  /** Three commands, the last after two awaits, as BullMQ's completion is issued. */
  const send = async (): Promise<unknown[]> => {
    const first = redis.set(`${prefix}:a`, '1');
    const second = redis.incr(`${prefix}:b`);
    await Promise.resolve();
    await Promise.resolve();
    return await Promise.all([first, second, redis.get(`${prefix}:a`)]);
  };

  it('sends commands issued by the callback and the promises it starts in one write, in order', async () => {
    const writes = countWrites(redis);
    const replies = await inOneSocketWrite(redis, send);
    expect(writes()).toBe(1);
    expect(replies).toEqual(['OK', 1, '1']);
  });

  it('joins calls made by separate callbacks of one event-loop turn into that write', async () => {
    const writes = countWrites(redis);
    // Two timers due at the same time run in one timers phase, each followed by its own microtasks.
    const replies = await new Promise<unknown[][]>((resolve, reject) => {
      let first: Promise<unknown[]> | undefined;
      setTimeout(() => (first = inOneSocketWrite(redis, send)), 0);
      setTimeout(() => {
        if (first === undefined) reject(new Error('the timers ran out of order'));
        else Promise.all([first, inOneSocketWrite(redis, send)]).then(resolve, reject);
      }, 0);
    });
    expect(writes()).toBe(1);
    expect(replies.map((reply) => reply[0])).toEqual(['OK', 'OK']);
  });

  it('without it, the same commands take a write each (what the helper saves)', async () => {
    const writes = countWrites(redis);
    await send();
    expect(writes()).toBe(3);
  });
});
