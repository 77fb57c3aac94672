import { IpenrichError, isIpenrichError } from '../errors.js';
import type { Redis } from '../redis/connection.js';

/**
 * Runs one Redis-backed step of a request; rejects with REDIS_UNAVAILABLE when Redis cannot serve
 * it. `timeoutMs` overrides the default bound for steps that wait on purpose (a synchronous enrich).
 */
export type RedisGuard = <T>(operation: () => Promise<T>, timeoutMs?: number) => Promise<T>;

/** Messages ioredis and Node use when the connection, not the command, failed. */
const CONNECTION_FAILURE = /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection timeout|connect ETIMEDOUT/i;
/** Redis error replies that mean "not now" (loading, failover, out of memory), not a bad command. */
const UNAVAILABLE_REPLY = /^(LOADING|READONLY|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|OOM|BUSY)\b/;

function isRedisFailure(error: Error, redis: Redis): boolean {
  return (
    redis.status !== 'ready' ||
    error.name === 'MaxRetriesPerRequestError' ||
    CONNECTION_FAILURE.test(error.message) ||
    UNAVAILABLE_REPLY.test(error.message)
  );
}

/**
 * The ingress never answers 202 for an alert Redis did not take, and never hangs on a Redis that is
 * down: once connected, a step fails at once when the connection is not ready, and after
 * `timeoutMs` otherwise. Before the first connection, steps wait for it up to `timeoutMs`.
 * Errors that are not about Redis (bugs) pass through unchanged.
 */
export function createRedisGuard(redis: Redis, timeoutMs: number): RedisGuard {
  /** Nothing was sent: the request was not carried out. */
  const notSent = (reason: string): IpenrichError =>
    new IpenrichError('REDIS_UNAVAILABLE', `Redis is unavailable (${reason}); nothing was done, retry later`, { retryAfterMs: 5_000 });
  /**
   * Sent, but no answer came (a timeout, a connection lost on the way): Redis may still have carried
   * it out. Sending again is safe: an alert already queued is recognised (`duplicate: true`).
   */
  const unanswered = (reason: string, cause?: unknown): IpenrichError =>
    new IpenrichError('REDIS_UNAVAILABLE', `Redis did not answer (${reason}); the request may have been carried out all the same: send it again, an alert already queued is recognised as a duplicate`, { cause, retryAfterMs: 5_000 });

  let connectedOnce = redis.status === 'ready';
  redis.once('ready', () => {
    connectedOnce = true;
  });

  /** At start-up the first connection may still be on its way: wait for it (within the step's time). */
  function firstConnection(waitMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(notSent(`not connected within ${waitMs} ms`));
      }, waitMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  }

  return async <T>(operation: () => Promise<T>, stepTimeoutMs = timeoutMs): Promise<T> => {
    if (redis.status !== 'ready') {
      if (connectedOnce) throw notSent(`connection ${redis.status}`);
      await firstConnection(timeoutMs);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unanswered(`no answer within ${stepTimeoutMs} ms`)), stepTimeoutMs);
    });
    const running = (async () => operation())();
    // The operation may still settle after a timeout; its outcome no longer matters.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, timeout]);
    } catch (error) {
      if (isIpenrichError(error)) throw error;
      // An error reply (LOADING, OOM, …) is Redis refusing the command; anything else may have reached it.
      if (error instanceof Error && UNAVAILABLE_REPLY.test(error.message)) throw notSent(error.message);
      if (error instanceof Error && isRedisFailure(error, redis)) throw unanswered(error.message, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
