import { createHash } from 'node:crypto';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';

/** Standard Webhooks' tolerance: a timestamp more than this away from now does not verify. */
const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export interface ReplayGuard {
  /**
   * True the first time a signing secret's message id is seen, false for every later use. The id
   * is remembered until its timestamp falls out of the tolerance window, after which the signature
   * no longer verifies anyway.
   */
  firstUse(secretId: string, messageId: string, timestampSeconds: number): Promise<boolean>;
}

/** Message ids in Redis (SET NX with an expiry), so one id is accepted once across every ingress replica. */
export function createReplayGuard(options: { redis: Redis; keys: KeySpace; now: () => number }): ReplayGuard {
  const { redis, keys, now } = options;
  return {
    async firstUse(secretId, messageId, timestampSeconds) {
      // Hashed: the id is the caller's text, of any length and alphabet.
      const idHash = createHash('sha256').update(messageId, 'utf8').digest('hex');
      const ttlMs = Math.max(1_000, timestampSeconds * 1_000 + SIGNATURE_TOLERANCE_MS - now() + 1_000);
      const set = await redis.set(keys.ingressReplay(secretId, idHash), '1', 'PX', ttlMs, 'NX');
      return set === 'OK';
    },
  };
}
