import { createHash } from 'node:crypto';

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

/**
 * Shared by every worker process: one Redis hash (`keys.disabledEndpoints()`), field = hash of the
 * URL, value = the note as JSON.
 */
export function createRedisDisabledEndpoints(redis: RedisHashCommands, key: string): DisabledEndpoints {
  return {
    isDisabled: async (url) => (await redis.hexists(key, fieldFor(url))) === 1,
    disable: async (url, note) => {
      await redis.hset(key, fieldFor(url), JSON.stringify(note));
    },
    enable: async (url) => {
      await redis.hdel(key, fieldFor(url));
    },
  };
}
