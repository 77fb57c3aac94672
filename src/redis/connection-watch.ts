import type { Logger } from '../log.js';
import type { Redis } from './connection.js';

/** Socket failures a Redis client reports on every failed (re)connect attempt. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True for an error that only says the connection to Redis is down. Clients built on a watched
 * connection (BullMQ's worker, a subscriber) repeat it on every reconnect attempt; the watch has
 * already reported the outage, so these are not worth a log line each.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && CONNECTION_ERROR_CODES.has(code)) || error.message === 'Connection is closed.';
}

/**
 * Logs Redis availability once per change of state (down, back up), not once per reconnect
 * attempt: a Redis outage of ten minutes is two log lines, not thousands.
 */
export function watchConnection(redis: Redis, logger: Logger, name: string): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.error({ connection: name, reason: error.message }, 'Redis unavailable; retrying with backoff');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ connection: name }, 'Redis available again');
  });
}
