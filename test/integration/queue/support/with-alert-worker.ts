import { createLogger } from '../../../../src/log.js';
import { createAlertWorker, type AlertWorkerDeps } from '../../../../src/queue/alert-worker.js';
import { duplicateWithoutAutoPipelining, type Redis } from '../../../../src/redis/connection.js';
import type { KeySpace } from '../../../../src/redis/keys.js';

/**
 * Runs `use` while an alert worker with `handle` takes the queue's jobs (real BullMQ, its own
 * connection, as startWorker wires it), then closes the worker whatever `use` did.
 */
export async function withAlertWorker<T>(
  redis: Redis,
  keys: KeySpace,
  handle: AlertWorkerDeps<null>['handle'],
  options: AlertWorkerDeps<null>['options'],
  use: () => Promise<T>,
): Promise<T> {
  const connection = duplicateWithoutAutoPipelining(redis);
  const worker = createAlertWorker<null>({ connection, redis, keys, handle, logger: createLogger({ level: 'silent' }), options });
  try {
    return await use();
  } finally {
    await worker.close(Date.now() + 10_000);
    await connection.quit();
  }
}
