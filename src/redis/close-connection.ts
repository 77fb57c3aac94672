import { settleBy } from '../settle-by.js';
import type { Redis } from './connection.js';

/**
 * Closes a connection by `deadline`: QUIT while Redis answers (replies to commands sent before it
 * still arrive), otherwise drop it. Commands wait for a reconnect without limit
 * (`maxRetriesPerRequest: null`), so a QUIT queued behind them on a Redis that is down would wait
 * forever. Resolves true when QUIT completed.
 */
export async function closeConnection(redis: Redis, deadline: number): Promise<boolean> {
  if (redis.status === 'ready') {
    const quit = redis.quit().then(
      () => true,
      () => false,
    );
    if ((await settleBy(quit, deadline)) && (await quit)) return true;
  }
  redis.disconnect();
  return false;
}
