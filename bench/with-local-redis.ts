import { loadavg } from 'node:os';
import { startLocalRedis } from '../src/redis/local-server.js';

/** How a run went around its measurement, for the report: mode, machine load before and after, wall time. */
export interface RunContext {
  readonly smoke: boolean;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly wallSeconds: number;
}

/** Runs a measurement on a redis-server of its own, stops it whatever happens, and says how the run went. */
export async function measureOnLocalRedis<Report>(smoke: boolean, measure: (redisUrl: string) => Promise<Report>): Promise<{ report: Report; context: RunContext }> {
  const loadStart = loadavg()[0] ?? 0;
  const started = Date.now();
  const redis = await startLocalRedis();
  try {
    const report = await measure(redis.url);
    return { report, context: { smoke, loadStart, loadEnd: loadavg()[0] ?? 0, wallSeconds: (Date.now() - started) / 1000 } };
  } finally {
    await redis.stop();
  }
}
