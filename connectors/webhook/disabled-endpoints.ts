import { createHash } from 'node:crypto';
import { ProcessCache } from '../../src/process-cache.js';

/**
 * Endpoints that answered 410 Gone. Standard Webhooks: a 410 means the receiver is gone for good,
 * so deliveries stop until an operator re-enables it (`enable`).
 */
export interface DisabledEndpoints {
  isDisabled(url: URL): Promise<boolean>;
  disable(url: URL, note: DisabledNote): Promise<void>;
  enable(url: URL): Promise<void>;
}

export interface DisabledNote {
  /** Credential-free form of the URL, for operators. */
  readonly endpoint: string;
  readonly status: number;
  readonly at: string;
}

/** The URL (query included) hashed, so a token in a query string is never stored in clear. */
function fieldFor(url: URL): string {
  return createHash('sha256').update(url.href).digest('hex');
}

/**
 * The notes of every disabled endpoint, for `status` (whichever tenant's sink or callback it was).
 * A value that is not a note (written by hand) is shown as such rather than hidden.
 */
export async function readDisabledEndpoints(redis: { hvals(key: string): Promise<string[]> }, key: string): Promise<DisabledNote[]> {
  return (await redis.hvals(key)).map((value): DisabledNote => {
    try {
      const note = JSON.parse(value) as Partial<DisabledNote>;
      if (typeof note.endpoint === 'string' && typeof note.status === 'number' && typeof note.at === 'string') return { endpoint: note.endpoint, status: note.status, at: note.at };
    } catch {
      // shown below as unreadable
    }
    return { endpoint: '(unreadable note)', status: 0, at: '' };
  });
}

/** Process-local store: the default when no Redis is given (a restart re-enables). */
export function createMemoryDisabledEndpoints(): DisabledEndpoints {
  const disabled = new Map<string, DisabledNote>();
  return {
    isDisabled: (url) => Promise.resolve(disabled.has(fieldFor(url))),
    disable: (url, note) => {
      disabled.set(fieldFor(url), note);
      return Promise.resolve();
    },
    enable: (url) => {
      disabled.delete(fieldFor(url));
      return Promise.resolve();
    },
  };
}

/** The few hash commands used; an ioredis client satisfies it. */
export interface RedisHashCommands {
  hexists(key: string, field: string): Promise<number>;
  hset(key: string, field: string, value: string): Promise<number>;
  hdel(key: string, field: string): Promise<number>;
}

/** Answers one process remembers at most: every callback URL is its own endpoint (a Logic App's differs per run). */
const REMEMBERED_ENDPOINTS = 10_000;

/**
 * Shared by every worker process: one Redis hash (`keys.disabledEndpoints()`), field = hash of the
 * URL, value = the note as JSON. Each answer is remembered for `cacheMs` (default 1 s), so a busy
 * worker asks Redis once a second per endpoint rather than once per delivery; another worker's
 * disable or an operator's re-enable is seen within that time. At most `maxRemembered` answers are
 * kept, the oldest dropped first: per-alert callback URLs must not grow a worker's memory for good.
 */
export function createRedisDisabledEndpoints(
  redis: RedisHashCommands,
  key: string,
  options: { cacheMs?: number; now?: () => number; maxRemembered?: number } = {},
): DisabledEndpoints {
  const cacheMs = options.cacheMs ?? 1_000;
  const now = options.now ?? Date.now;
  const remembered = new ProcessCache<boolean>(options.maxRemembered ?? REMEMBERED_ENDPOINTS);
  const remember = (field: string, disabled: boolean): void => remembered.set(field, disabled, now() + cacheMs);
  return {
    isDisabled: async (url) => {
      const field = fieldFor(url);
      const known = remembered.get(field, now());
      if (known !== undefined) return known;
      const disabled = (await redis.hexists(key, field)) === 1;
      remember(field, disabled);
      return disabled;
    },
    disable: async (url, note) => {
      await redis.hset(key, fieldFor(url), JSON.stringify(note));
      remember(fieldFor(url), true);
    },
    enable: async (url) => {
      await redis.hdel(key, fieldFor(url));
      remember(fieldFor(url), false);
    },
  };
}
