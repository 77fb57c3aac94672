import { readFileSync } from 'node:fs';
import type { Redis } from '../redis/connection.js';

/**
 * The Lua scripts behind the limiter and coalescing (files in ./lua, read from beside this module so
 * the build only has to copy them). A file named `name-<k>.lua` takes k keys; `name-n.lua` takes a
 * variable number, so its command is defined without numberOfKeys and callers pass the count first.
 */
const SCRIPT_FILES = {
  ipenrichAcquire: 'acquire-n.lua',
  ipenrichSettle: 'settle-n.lua',
  ipenrichInspect: 'inspect-n.lua',
  ipenrichCooldown: 'cooldown-1.lua',
  ipenrichExtendLock: 'extend-1.lua',
  ipenrichComplete: 'complete-2.lua',
} as const;

type Arg = string | number;

/** The commands the scripts become on a connection (replies as the scripts document them). */
export interface BudgetScripts {
  ipenrichAcquire(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<[number, number, number, number, string]>;
  ipenrichSettle(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
  ipenrichInspect(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<number[]>;
  ipenrichCooldown(cooldownKey: string, durationMs: Arg, nowUs: Arg): Promise<number>;
  ipenrichExtendLock(lockKey: string, token: string, ttlMs: Arg): Promise<number>;
  ipenrichComplete(lockKey: string, cacheKey: string, token: string, value: string, ttlMs: Arg, channel: string, message: string): Promise<number>;
}

interface ScriptSource {
  readonly name: string;
  readonly lua: string;
  readonly numberOfKeys: number | undefined;
}

let sources: ScriptSource[] | undefined;

function loadSources(): ScriptSource[] {
  sources ??= Object.entries(SCRIPT_FILES).map(([name, file]) => {
    const keys = /-(\d+|n)\.lua$/.exec(file)?.[1];
    if (keys === undefined) throw new Error(`Lua script ${file} is not named name-<numberOfKeys>.lua`);
    return {
      name,
      lua: readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8'),
      numberOfKeys: keys === 'n' ? undefined : Number(keys),
    };
  });
  return sources;
}

const defined = new WeakSet<Redis>();

/**
 * Defines the scripts on a connection once (ioredis then sends EVALSHA, loading the script on the
 * first use per socket) and returns the connection typed with them.
 */
export function budgetScripts(redis: Redis): BudgetScripts {
  if (!defined.has(redis)) {
    for (const { name, lua, numberOfKeys } of loadSources()) {
      redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
    }
    defined.add(redis);
  }
  // defineCommand adds these methods at run time; ioredis has no way to type them.
  return redis as unknown as BudgetScripts;
}
