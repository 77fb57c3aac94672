import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../src/emulators/emulators.js';
import { runCli, spawnCli } from '../support/cli-process.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.js';

/** Windows enforced by the strict emulator and by ipenrich alike: an hour of budget in seconds. */
const LIMITS = '4/1s,10/5s';

describe('lookup through the shared cache and budget', () => {
  const prefix = uniquePrefix('lookup');
  let emulators: Emulators;
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { rateLimits: LIMITS } });
    ({ cleanup } = await connectTestRedis(prefix));
    env = { ...emulators.env, REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix, MDE_RATE_LIMITS: LIMITS, MDE_RATE_SAFETY_MS: '50', LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await cleanup();
    await emulators.close();
  });

  it('several lookup processes in parallel: no 429, no IP fetched twice, cached answers marked', async () => {
    const ips = Array.from({ length: 12 }, (_, i) => `198.51.100.${i + 1}`);
    // Four processes, each asking for an overlapping half of the IPs at the same time.
    const runs = [0, 3, 6, 9].map((start) => spawnCli(['lookup', ...Array.from({ length: 6 }, (_, i) => ips[(start + i) % ips.length] ?? '')], env));
    const codes = await Promise.all(runs.map((run) => run.exited));
    expect(codes).toEqual([0, 0, 0, 0]);

    const { counters } = emulators.defender;
    expect(counters.throttled).toBe(0);
    expect(Object.keys(counters.callsPerIp).sort()).toEqual([...ips].sort());
    expect(Math.max(...Object.values(counters.callsPerIp))).toBe(1);
    for (const run of runs) {
      const lines = run.stdout().trim().split('\n').map((line) => JSON.parse(line) as { ip: string; cached: boolean });
      expect(lines).toHaveLength(6);
    }

    const again = spawnCli(['lookup', ips[0] ?? ''], env);
    expect(await again.exited).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ ip: ips[0], cached: true });
    expect(counters.totalCalls).toBe(ips.length);

    // `status` counts what lookups did, as it counts workers' work (shared counters in Redis).
    const status = await runCli(['status', '--json'], env);
    expect(status.stderr).toBe('');
    const [tenant] = (JSON.parse(status.stdout) as { tenants: { name: string; sources: { ipstats: { calls: number } }; cache: { hits: number; misses: number } }[] }).tenants;
    expect(tenant?.sources.ipstats.calls).toBe(ips.length);
    // 24 IPs asked by the four processes and one by the last, each read once from the cache: a read
    // that found nothing is a miss even when another process then fetched the IP (coalescing).
    const { hits = 0, misses = 0 } = tenant?.cache ?? {};
    expect(hits + misses).toBe(24 + 1);
    expect(misses).toBeGreaterThanOrEqual(ips.length);
    expect(hits).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
