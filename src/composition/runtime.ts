import { loadConfig, type Config } from '../config/load.js';
import { createLogger, type Logger } from '../log.js';
import { createAlertsQueue, type AlertsQueue } from '../queue/alerts-queue.js';
import { createRedis, duplicateWithoutAutoPipelining, type Redis } from '../redis/connection.js';
import { keySpace, type KeySpace } from '../redis/keys.js';
import { closeConnection } from '../redis/close-connection.js';
import { watchConnection } from '../redis/connection-watch.js';
import { settleBy } from '../settle-by.js';
import { IpenrichError } from '../errors.js';

/** What every Redis-backed command shares: configuration, logger, one connection, the queue. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly queue: AlertsQueue;
  /** Closes the queue and both connections within `closeMs`; a connection Redis does not answer on is dropped. */
  close(closeMs?: number): Promise<void>;
}

const RUNTIME_CLOSE_MS = 2_000;

export interface RuntimeOptions {
  readonly config?: Config;
  readonly logger?: Logger;
  /**
   * Long-running processes (worker, serve) wait out Redis outages; one-shot commands (enqueue,
   * status, dlq) fail fast with REDIS_UNAVAILABLE instead of hanging.
   */
  readonly waitForRedis?: boolean;
}

/** The Redis URL without credentials, for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'REDIS_URL';
  }
}

export async function openRuntime(env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Promise<Runtime> {
  const config = options.config ?? loadConfig(env);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  // Auto-pipelining: the commands concurrent jobs issue in the same tick go out in one socket write;
  // a write per command was the worker's largest single CPU cost (bench/throughput, --cpu-prof).
  const redis = createRedis(config.REDIS_URL, {
    enableAutoPipelining: true,
    ...(options.waitForRedis ? {} : { maxRetriesPerRequest: 1, connectTimeout: 5_000 }),
  });
  if (options.waitForRedis) watchConnection(redis, logger, 'redis');
  else {
    redis.on('error', () => undefined);
    try {
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new IpenrichError('REDIS_UNAVAILABLE', `cannot reach Redis at ${describeRedisUrl(config.REDIS_URL)} (${(error as Error).message}); start redis-server or set REDIS_URL`);
    }
  }
  const keys = keySpace(config.IPENRICH_PREFIX);
  // BullMQ gets a connection of its own: it loads dozens of Lua scripts on it, and ioredis copies
  // every loaded script into each MULTI it builds, which would tax the cache and limiter commands.
  const queueRedis = duplicateWithoutAutoPipelining(redis);
  queueRedis.on('error', () => undefined); // reported once per state change by watchConnection
  const queue = createAlertsQueue(queueRedis, keys);
  queue.on('error', () => undefined);
  return {
    config,
    logger,
    redis,
    keys,
    queue,
    async close(closeMs = RUNTIME_CLOSE_MS) {
      const closeBy = Date.now() + closeMs;
      await settleBy(queue.close(), closeBy);
      await closeConnection(queueRedis, closeBy);
      await closeConnection(redis, closeBy);
    },
  };
}
