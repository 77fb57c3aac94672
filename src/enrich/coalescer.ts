import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { duplicateWithoutAutoPipelining, type Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts } from '../redis/scripts/redis-scripts.js';
import { watchConnection } from '../redis/connection-watch.js';
import { cacheEntrySchema, type EnrichmentCache } from './cache.js';

/** How one fetch ended, as the fetcher tells the processes waiting for the same key. */
const fetchOutcomeSchema = z.discriminatedUnion('kind', [
  /** A cacheable answer: stored in the cache before anyone hears of it. */
  z.object({ kind: z.literal('value'), entry: cacheEntrySchema }),
  /** A failure that must not be cached; waiters report it too instead of spending budget again. */
  z.object({
    kind: z.literal('error'),
    // IpenrichError.toJSON(): the waiters rebuild the same error, status and Retry-After included.
    error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean(), statusCode: z.number().optional(), retryAfterMs: z.number().optional() }),
  }),
  /** The fetcher gave up without calling (no budget before its deadline, or a 429): someone may try again. */
  z.object({ kind: z.literal('released'), retryAt: z.number() }),
]);
export type FetchOutcome = z.infer<typeof fetchOutcomeSchema>;

type CoalesceResult =
  | { readonly role: 'fetcher' | 'waiter'; readonly outcome: FetchOutcome }
  /** The deadline passed while another process was still fetching this key. */
  | { readonly role: 'timeout' };

interface CoalesceKey {
  readonly tenant: string;
  readonly ip: string;
  readonly lookBackHours: number;
}

export interface Coalescer {
  /**
   * Runs `fetch` in exactly one process at a time for this key; every other caller waits for its
   * outcome. A caller that finds the lock held never calls `fetch` (so never spends budget) unless
   * the holder releases the key or dies, in which case its lock expires after `lockMs`.
   */
  run(key: CoalesceKey, fetch: () => Promise<FetchOutcome>, options?: RunOptions): Promise<CoalesceResult>;
  close(): Promise<void>;
}

interface RunOptions {
  readonly deadline?: number;
  readonly signal?: AbortSignal;
  /** The holder fetches unless the cached entry stays fresh this long (a refresh ahead asks for more than fresh now). */
  readonly minFreshMs?: number;
  /**
   * Called once, when another caller holds the key and this one starts waiting for its outcome: a
   * hunting batch must not wait for a miss another process is fetching (two processes would each
   * hold back their batch for the other's IPs).
   */
  readonly onWait?: () => void;
}

export interface CoalescerOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly cache: EnrichmentCache;
  /** Lock TTL (COALESCE_LOCK_MS): how long a dead fetcher blocks its key. Live fetchers keep extending it. */
  readonly lockMs: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

type Listener = (message: string) => void;

export function createCoalescer(options: CoalescerOptions): Coalescer {
  const { redis, keys, cache, lockMs, logger } = options;
  const now = options.now ?? Date.now;
  const scripts = redisScripts(redis);
  const listeners = new Map<string, Set<Listener>>();
  let subscriber: Redis | undefined;

  function ensureSubscriber(): Redis {
    if (!subscriber) {
      // A connection in subscriber mode can run no other command, hence its own.
      subscriber = duplicateWithoutAutoPipelining(redis);
      // ioredis reconnects and resubscribes by itself; meanwhile waiters fall back to the lock TTL.
      // An outage is logged once per change of state, not on every reconnect attempt.
      if (logger) watchConnection(subscriber, logger, 'coalescing subscriber');
      else subscriber.on('error', () => undefined);
      subscriber.on('message', (channel: string, message: string) => {
        for (const listener of listeners.get(channel) ?? []) listener(message);
      });
    }
    return subscriber;
  }

  async function listen(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
      await ensureSubscriber().subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(channel) === set) {
        listeners.delete(channel);
        await ensureSubscriber().unsubscribe(channel);
      }
    };
  }

  function parseOutcome(message: string): FetchOutcome | undefined {
    try {
      const parsed = fetchOutcomeSchema.safeParse(JSON.parse(message));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Holds the lock and runs the fetch; always completes the key (cache, unlock, announce), even on a throw. */
  async function fetchAsHolder(key: CoalesceKey, lockKey: string, token: string, fetch: () => Promise<FetchOutcome>, minFreshMs = 0): Promise<FetchOutcome> {
    const { tenant, ip, lookBackHours } = key;
    let lost = false;
    const renew = setInterval(() => {
      scripts.ipenrichExtendLock(lockKey, token, lockMs).then(
        (held) => {
          if (held !== 0 || lost) return;
          // A lost lock stays lost: say so once and stop renewing it. (Renewals queued during a Redis
          // outage all answer at once when it returns.)
          lost = true;
          clearInterval(renew);
          logger?.warn({ tenant, ip }, 'coalescing lock expired while fetching; another process may fetch too');
        },
        (error: unknown) => logger?.warn({ err: error, tenant, ip }, 'could not extend coalescing lock'),
      );
    }, Math.max(1, Math.floor(lockMs / 3)));
    renew.unref();

    // If fetch throws (abort, bug), waiters hear "released" and one of them takes over at once.
    let outcome: FetchOutcome = { kind: 'released', retryAt: now() };
    let store = false;
    try {
      // Someone may have finished this key between our cache lookup and taking the lock.
      const cached = await cache.peek(tenant, ip, lookBackHours, minFreshMs);
      if (cached) {
        outcome = { kind: 'value', entry: cached };
      } else {
        outcome = await fetch();
        store = outcome.kind === 'value';
      }
      return outcome;
    } finally {
      clearInterval(renew);
      await scripts.ipenrichComplete(
        lockKey,
        cache.key(tenant, ip, lookBackHours),
        token,
        store && outcome.kind === 'value' ? cache.encode(outcome.entry) : '',
        outcome.kind === 'value' ? cache.storeTtlMs(outcome.entry) : 0,
        keys.coalesceChannel(tenant, ip, lookBackHours),
        JSON.stringify(outcome),
      );
    }
  }

  return {
    async run(key, fetch, runOptions = {}) {
      const { tenant, ip, lookBackHours } = key;
      const { deadline, signal } = runOptions;
      const lockKey = keys.coalesceLock(tenant, ip, lookBackHours);
      const inbox: string[] = [];
      let wake: (() => void) | undefined;
      let waited = false;
      // Subscribe before looking at the lock, so an outcome published in between is not missed.
      const stopListening = await listen(keys.coalesceChannel(tenant, ip, lookBackHours), (message) => {
        inbox.push(message);
        wake?.();
      });
      try {
        for (;;) {
          signal?.throwIfAborted();
          const token = randomUUID();
          const reply = await redis.multi().set(lockKey, token, 'PX', lockMs, 'NX').pttl(lockKey).exec();
          if (reply?.[0]?.[1] === 'OK') {
            return { role: 'fetcher', outcome: await fetchAsHolder(key, lockKey, token, fetch, runOptions.minFreshMs) };
          }
          // Set and PTTL ran atomically, so the lock exists: -1 (no TTL) cannot come from us, treat it as fresh.
          const pttl = Number(reply?.[1]?.[1] ?? 0);
          const lockLeftMs = pttl < 0 ? lockMs : pttl;
          if (!waited) {
            waited = true;
            runOptions.onWait?.();
          }
          if (inbox.length === 0) {
            const untilDeadline = deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now();
            if (untilDeadline <= 0) return { role: 'timeout' };
            await new Promise<void>((resolve) => {
              const timer = setTimeout(done, Math.min(lockLeftMs + 1, untilDeadline));
              signal?.addEventListener('abort', done, { once: true });
              wake = done;
              function done(): void {
                clearTimeout(timer);
                signal?.removeEventListener('abort', done);
                wake = undefined;
                resolve();
              }
            });
          }
          const message = inbox.shift();
          if (message !== undefined) {
            const outcome = parseOutcome(message);
            if (outcome && outcome.kind !== 'released') return { role: 'waiter', outcome };
          }
          // Released, or the lock's TTL ran out (extended by a live holder, or expired with a dead one):
          // try the lock again; whoever gets it re-checks the cache first.
        }
      } finally {
        await stopListening();
      }
    },

    async close() {
      listeners.clear();
      if (subscriber) await subscriber.quit();
      subscriber = undefined;
    },
  };
}
