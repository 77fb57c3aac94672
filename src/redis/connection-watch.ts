import type { Logger } from '../log.js';
import type { Redis } from './connection.js';

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
