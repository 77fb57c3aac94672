import type { AlertRevisions } from '../pipeline/ports.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';

/** A week: longer than BullMQ keeps completed (a day) and failed (a week) jobs of the same alert. */
const REVISION_TTL_S = 7 * 86_400;

/** The latest revision per alert identity in Redis: one key each, swapped atomically (SET … GET). */
export function createRedisAlertRevisions(redis: Redis, keys: KeySpace): AlertRevisions {
  return {
    async swap(identityKey, digest) {
      return await redis.set(keys.alertRevision(identityKey), digest, 'EX', REVISION_TTL_S, 'GET');
    },
  };
}
