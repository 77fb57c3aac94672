import { Cluster, Redis as SingleNodeRedis, type RedisOptions } from 'ioredis';

/**
 * A connection to one Redis server or to a Redis Cluster. Both speak the same commands; `duplicate()`
 * is restated because the two classes declare it with incompatible generics.
 */
export type Redis = (SingleNodeRedis | Cluster) & { duplicate(): Redis };

/** `redis+cluster://` and `rediss+cluster://` select a Redis Cluster client (docs/deploy.md). */
const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\//;

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

const backoff = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 10), 2_000);

/**
 * One factory for every Redis connection. `maxRetriesPerRequest: null` is what BullMQ workers need
 * (commands wait for a reconnect instead of failing); the reconnect backoff is capped so a Redis
 * restart is picked up within a few seconds.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  if (isClusterUrl(url)) return createCluster(url, options);
  return new SingleNodeRedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: backoff,
    ...options,
  });
}

/**
 * A cluster client seeded with the URL's host (any node; the client discovers the others). The
 * per-connection options apply to every node; the reconnect options move to the cluster level,
 * where a number in `maxRetriesPerRequest` also bounds the reconnect attempts, so a one-shot
 * command fails fast on an unreachable cluster as it does on a single server.
 */
function createCluster(url: string, options: RedisOptions): Cluster {
  const tls = CLUSTER_SCHEME.exec(url)?.[1] === 'rediss';
  const seed = new URL(url.replace(CLUSTER_SCHEME, 'redis://'));
  const { retryStrategy, lazyConnect, enableOfflineQueue, enableAutoPipelining, ...nodeOptions } = options;
  const maxRetries = options.maxRetriesPerRequest;
  const reconnect = retryStrategy ?? backoff;
  return new Cluster([{ host: seed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(seed.port || 6379) }], {
    redisOptions: {
      maxRetriesPerRequest: null,
      enableReadyCheck: true,
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
      ...(tls ? { tls: {} } : {}),
      ...nodeOptions,
    },
    clusterRetryStrategy: (attempt) => (typeof maxRetries === 'number' && attempt > maxRetries ? null : reconnect(attempt)),
    enableReadyCheck: true,
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
  });
}

/**
 * A second connection with the same settings except `enableAutoPipelining` off. For BullMQ and for
 * subscribers: ioredis builds a Pipeline per tick when auto-pipelining, and a Pipeline copies every
 * script loaded on its connection — dozens on BullMQ's — which costs more than the writes it saves.
 */
export function duplicateWithoutAutoPipelining(redis: Redis): Redis {
  if (redis instanceof Cluster) return redis.duplicate(undefined, { enableAutoPipelining: false });
  return (redis as SingleNodeRedis).duplicate({ enableAutoPipelining: false }) as Redis;
}
