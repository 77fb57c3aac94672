import { afterAll, describe, expect, it } from 'vitest';
import { closeConnection } from '../../../src/redis/close-connection.js';
import { createRedis } from '../../../src/redis/connection.js';
import { startLocalRedis, type LocalRedis } from '../../../src/redis/local-server.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl } from '../../support/redis.js';

/** Far enough that only a close that waits for Redis would reach it: the tests' own timeout fires first. */
const FAR = 10 * 60_000;

describe('closeConnection', () => {
  let stopped: LocalRedis | undefined;

  afterAll(async () => {
    await stopped?.stop();
  });

  it('QUITs a connection Redis answers on', async () => {
    const redis = createRedis(testRedisUrl());
    await redis.ping();
    expect(await closeConnection(redis, Date.now() + FAR)).toBe(true);
    await waitFor('the connection to end', () => redis.status === 'end', 10_000);
  });

  it('drops a connection whose Redis is down at once, though commands wait for the reconnect', async () => {
    stopped = await startLocalRedis();
    const redis = createRedis(stopped.url);
    redis.on('error', () => undefined);
    await redis.ping();
    await stopped.stop();
    await waitFor('the client to notice', () => redis.status !== 'ready', 10_000);
    // Waits for a reconnect without limit (maxRetriesPerRequest: null): a QUIT behind it would too.
    const pending = redis.get('waits-for-redis');

    expect(await closeConnection(redis, Date.now() + FAR)).toBe(false);
    // ioredis leaves a command queued for the reconnect pending; the caller ends the process.
    pending.catch(() => undefined);
  }, 30_000);
});
