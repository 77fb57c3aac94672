import { readFileSync } from 'node:fs';
import type { Redis } from '../connection.js';
import { expandIncludes } from './lua-include.js';

type Arg = string | number;

/**
 * Every Lua script of ipenrich, as the command it becomes on a connection. Arguments and replies are
 * those the scripts' opening comments document. A `-n` script takes a variable number of keys, so
 * its command is called with the key count first.
 */
export interface RedisScripts {
  /** acquire-n.lua: admits one Defender call if every window has room. Reply: admitted, wait µs, blocking window, now µs, log member. */
  ipenrichAcquire(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<[number, number, number, number, string]>;
  /** acquire-spare-n.lua: admits one refresh-ahead call from budget no real miss wants. Reply: admitted, why not, µs until under the ceiling, now µs, log member. */
  ipenrichAcquireSpare(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<[number, number, number, number, string]>;
  /** popularity-2.lua: counts requests in a tenant's decayed popularity set. Reply: its size. */
  ipenrichPopularity(popularityKey: string, baseKey: string, nowMs: Arg, halfLifeMs: Arg, maxMembers: Arg, ...asked: string[]): Promise<number>;
  /** settle-n.lua: re-scores an admitted call to the moment its answer came back. Reply: windows lowered. */
  ipenrichSettle(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
  /** inspect-n.lua: the limiter state, unchanged. Reply: now, cooldown, admitted, in flight, then used and free per window. */
  ipenrichInspect(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<number[]>;
  /** cooldown-1.lua: the shared cooldown after a 429. Reply: the cooldown's end in epoch ms. */
  ipenrichCooldown(cooldownKey: string, durationMs: Arg, nowUs: Arg): Promise<number>;
  /** wake-slot-2.lua: a starved miss's wake-up time (one slot per IP asked). Reply: epoch ms. */
  ipenrichWakeSlot(cursorKey: string, scheduledKey: string, earliestMs: Arg, spacingMs: Arg, asked: string, keepMs: Arg, nowUs: Arg): Promise<number>;
  /** extend-1.lua: keeps a coalescing lock alive. Reply: 1 when still ours, 0 when lost. */
  ipenrichExtendLock(lockKey: string, token: string, ttlMs: Arg): Promise<number>;
  /** complete-2.lua: caches the answer, releases the lock, tells the waiters. Reply: 1 when the lock was still ours. */
  ipenrichComplete(lockKey: string, cacheKey: string, token: string, value: string, ttlMs: Arg, channel: string, message: string): Promise<number>;
  /** hset-expire-1.lua: HSET the field/value pairs and EXPIRE the hash, atomically. Reply: 1. */
  ipenrichHsetExpire(key: string, ttlSeconds: number, ...fieldsAndValues: string[]): Promise<number>;
  /** keep-result-1.lua: stores a job's result unless its record holds one. Reply: null when stored, else the record's fields and values. */
  ipenrichKeepResult(key: string, ttlSeconds: number, result: string): Promise<string[] | Record<string, string> | null>;
  /** rate-1.lua: per-caller ingress rate (GCRA). Reply: admitted, µs until the next admission, TAT - now µs. */
  ipenrichIngressRate(key: string, intervalUs: number, toleranceUs: number): Promise<[number, number, number]>;
  /** pending-rank-5.lua: counts a job among its tenant's pending jobs. Reply: its rank (≥ 1). */
  ipenrichPendingRank(
    high: string,
    medium: string,
    low: string,
    informational: string,
    jobKey: string,
    jobId: string,
    severityIndex: number,
    jobKeyPrefix: string,
    graceMs: number,
    nowUs: Arg,
  ): Promise<number>;
}

/** The file behind each command, in this folder. `name-<k>.lua` takes k keys, `name-n.lua` a variable number. */
const SCRIPT_FILES = {
  ipenrichAcquire: 'acquire-n.lua',
  ipenrichAcquireSpare: 'acquire-spare-n.lua',
  ipenrichPopularity: 'popularity-2.lua',
  ipenrichSettle: 'settle-n.lua',
  ipenrichInspect: 'inspect-n.lua',
  ipenrichCooldown: 'cooldown-1.lua',
  ipenrichWakeSlot: 'wake-slot-2.lua',
  ipenrichExtendLock: 'extend-1.lua',
  ipenrichComplete: 'complete-2.lua',
  ipenrichHsetExpire: 'hset-expire-1.lua',
  ipenrichKeepResult: 'keep-result-1.lua',
  ipenrichIngressRate: 'rate-1.lua',
  ipenrichPendingRank: 'pending-rank-5.lua',
} as const satisfies Record<keyof RedisScripts, string>;

export interface ScriptDefinition {
  readonly command: keyof RedisScripts;
  readonly file: string;
  /** Undefined for a `-n` script: the caller passes the key count. */
  readonly numberOfKeys: number | undefined;
  /** The text Redis runs (and ioredis hashes for EVALSHA): the file with its includes in place, on the same lines. */
  readonly lua: string;
}

let definitions: readonly ScriptDefinition[] | undefined;

/**
 * Reads the scripts from beside this module (the build copies the .lua files next to the compiled one),
 * once, with their `-- @include` lines expanded (lua-include.ts).
 */
export function scriptDefinitions(): readonly ScriptDefinition[] {
  definitions ??= Object.entries(SCRIPT_FILES).map(([command, file]) => ({
    // Object.entries widens the keys to string; they are exactly SCRIPT_FILES's.
    command: command as keyof RedisScripts,
    file,
    numberOfKeys: keyCount(file),
    lua: expandIncludes(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')),
  }));
  return definitions;
}

function keyCount(file: string): number | undefined {
  const keys = /-(\d+|n)\.lua$/.exec(file)?.[1];
  if (keys === undefined) throw new Error(`Lua script ${file} is not named name-<numberOfKeys>.lua`);
  return keys === 'n' ? undefined : Number(keys);
}

const defined = new WeakSet<Redis>();

/**
 * Defines every script on a connection once (ioredis then sends EVALSHA, loading the script on the
 * first use per socket) and returns the connection typed with them.
 */
export function redisScripts(redis: Redis): RedisScripts {
  if (!defined.has(redis)) {
    for (const { command, lua, numberOfKeys } of scriptDefinitions()) {
      redis.defineCommand(command, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
    }
    defined.add(redis);
  }
  // defineCommand adds these methods at run time; ioredis has no way to type them.
  return redis as unknown as RedisScripts;
}
