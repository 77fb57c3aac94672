import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as calibrate } from '../../../src/commands/calibrate.js';
import { command as lookup } from '../../../src/commands/lookup.js';
import type { CommandIo } from '../../../src/commands/command.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';

/** Runs a command in this process with captured streams. */
async function runCommand(cmd: typeof calibrate, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: CommandIo = { stdin: new PassThrough(), stdout, stderr, env };
  const code = await cmd.run(args, io);
  return { code, stdout: out, stderr: err };
}

describe('ipenrich calibrate', () => {
  const prefix = uniquePrefix('calibrate');
  let emulators: Emulators;
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { rateLimits: '50/1s' } });
    ({ cleanup } = await connectTestRedis(prefix));
    env = { ...emulators.env, REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix, MDE_RATE_LIMITS: '50/1s', LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await cleanup();
    await emulators.close();
  });

  it('asks both sources about the same IPs through their budgets, and reports agreement and differences', async () => {
    const ips = ['198.51.100.10', '198.51.100.11', '198.51.100.12', '203.0.113.40'];
    // One IP where the two sources disagree: the comparison must say so.
    emulators.graph.setIpStats('203.0.113.40', { prevalence: 99, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-02T00:00:00Z' });
    const { code, stdout, stderr } = await runCommand(calibrate, ips, env);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { ip: string; agree: boolean; differences: string[] });
    expect(lines.map((line) => [line.ip, line.agree])).toEqual([
      ['198.51.100.10', true],
      ['198.51.100.11', true],
      ['198.51.100.12', true],
      ['203.0.113.40', false],
    ]);
    expect(lines[3]?.differences.some((d) => d.startsWith('prevalence') && d.endsWith('vs 99'))).toBe(true);
    expect(stderr).toMatch(/3 of 4 IPs agree/);
    expect(emulators.defender.counters.totalCalls).toBe(4);
    expect(emulators.graph.counters.ipsPerCall).toEqual([4]);
  }, 60_000);

  it('--sample takes IPs from the tenant cache', async () => {
    const looked = await runCommand(lookup, ['192.0.2.33', '192.0.2.34'], env);
    expect(looked.code).toBe(0);
    emulators.graph.resetCounters();
    const { code, stdout } = await runCommand(calibrate, ['--sample', '5'], env);
    expect(code).toBe(0);
    const sampled = stdout.trim().split('\n').map((line) => (JSON.parse(line) as { ip: string }).ip);
    expect(sampled).toEqual(expect.arrayContaining(['192.0.2.33', '192.0.2.34']));
    expect(emulators.graph.counters.totalCalls).toBe(1);
  }, 60_000);
});
