import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from '../../../src/redis/connection.js';
import { includedCode } from '../../../src/redis/scripts/lua-include.js';
import { redisScripts, scriptDefinitions } from '../../../src/redis/scripts/redis-scripts.js';
import { connectTestRedis, uniquePrefix } from '../../support/redis.js';

const folder = new URL('../../../src/redis/scripts/', import.meta.url);
const scriptFiles = readdirSync(folder).filter((name) => name.endsWith('.lua'));
const sourceOf = (file: string): string => readFileSync(new URL(file, folder), 'utf8');

/** What a script file says before its code: the `--[[ … ]]` comment it opens with. */
function header(file: string): string {
  const match = /^--\[\[([\s\S]*?)\]\]/.exec(sourceOf(file));
  if (!match?.[1]) throw new Error(`${file} does not open with a --[[ … ]] comment`);
  return match[1];
}

/** Code only: the opening comment and whole-line comments removed. */
function code(file: string): string {
  return sourceOf(file)
    .replace(/^--\[\[[\s\S]*?\]\]/, '')
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
}

const CALLS_TIME = /redis\.p?call\(\s*['"]TIME['"]/i;
const USES_CLOCK = /\b(nowUs|redisTimeUs)\(/;

describe('Redis scripts (real Redis)', () => {
  const prefix = uniquePrefix('scripts');
  let redis: Redis;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ redis, cleanup } = await connectTestRedis(prefix));
  });
  afterAll(async () => cleanup());

  it('defines every .lua file of the folder, with the key count its name gives and its header lists', async () => {
    const definitions = scriptDefinitions();
    expect(definitions.map((d) => d.file).sort()).toEqual([...scriptFiles].sort());

    for (const { file, numberOfKeys } of definitions) {
      const named = /-(\d+|n)\.lua$/.exec(file)?.[1];
      expect(numberOfKeys, file).toBe(named === 'n' ? undefined : Number(named));
      const text = header(file);
      expect(text, `${file} lists its arguments`).toMatch(/^\s*ARGV\[1/m);
      const listed = [...text.matchAll(/^\s*KEYS\[(\d+)\]/gm)].map((m) => Number(m[1]));
      if (numberOfKeys === undefined) {
        expect(text, `${file} lists its variable keys`).toMatch(/^\s*KEYS\[\d+\.\.\]/m);
      } else {
        expect(listed, `${file} lists KEYS[1..${numberOfKeys}]`).toEqual(Array.from({ length: numberOfKeys }, (_, i) => i + 1));
        const used = [...code(file).matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
        expect(Math.max(...used), `${file} uses no key beyond its count`).toBeLessThanOrEqual(numberOfKeys);
      }
    }

    const commands = redisScripts(redis) as unknown as Record<string, unknown>;
    expect(redisScripts(redis)).toBe(commands);
    for (const { command, lua } of definitions) {
      expect(typeof commands[command], command).toBe('function');
      // The text ioredis hashes for EVALSHA is the text Redis compiles.
      expect(await redis.script('LOAD', lua), command).toBe(createHash('sha1').update(lua).digest('hex'));
    }
  });

  it('includes the clock prelude in every script that reads the time, and no script has its own copy', () => {
    const prelude = includedCode('time');
    expect(prelude).toMatch(CALLS_TIME);
    for (const file of scriptFiles) {
      expect(code(file), `${file} reads TIME through the prelude`).not.toMatch(CALLS_TIME);
      expect(code(file), `${file} defines no clock of its own`).not.toMatch(/function\s+(nowUs|redisTimeUs)\b/);
    }
    const readingTime = scriptFiles.filter((file) => USES_CLOCK.test(code(file)));
    expect(readingTime.sort()).toEqual(['acquire-n.lua', 'acquire-spare-n.lua', 'cooldown-1.lua', 'inspect-n.lua', 'pending-rank-5.lua', 'rate-1.lua', 'settle-n.lua', 'wake-slot-2.lua']);

    for (const { file, lua } of scriptDefinitions()) {
      const includes = sourceOf(file).match(/^-- @include time$/gm) ?? [];
      expect(includes.length, file).toBe(readingTime.includes(file) ? 1 : 0);
      expect(lua.split(prelude).length - 1, file).toBe(includes.length);
    }
  });

  it("keeps each file's line numbers, so a Redis error names the line of the .lua file", async () => {
    for (const { file, lua } of scriptDefinitions()) {
      expect(lua.split('\n').length, file).toBe(sourceOf(file).split('\n').length);
    }

    // settle-n.lua formats `now` after the included clock; a time that is no number fails right there.
    const failingLine = sourceOf('settle-n.lua').split('\n').findIndex((line) => line.includes("string.format('%d', now)")) + 1;
    expect(failingLine).toBeGreaterThan(0);
    const scripts = redisScripts(redis);
    await expect(scripts.ipenrichSettle(1, `${prefix}:window`, 'member', 'not-a-time')).rejects.toThrow(`:${failingLine}: `);
  });
});
