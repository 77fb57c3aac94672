import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { freePort, startLocalRedis, type LocalRedis } from '../../src/redis/local-server.js';
import { openRuntime, type Runtime } from '../../src/composition/runtime.js';
import { startWorker } from '../../src/composition/start-worker.js';
import { waitFor } from '../support/cli-process.js';

/**
 * The logging half of scenario 2, small enough to pin down: a worker whose Redis is not there
 * reconnects again and again, and says so once, not once per attempt (BullMQ re-emits every failed
 * attempt of each of its connections as a worker 'error').
 */
describe('a worker without Redis', () => {
  let redis: LocalRedis | undefined;
  let runtime: Runtime | undefined;

  afterAll(async () => {
    await runtime?.close();
    await redis?.stop();
  });

  it('logs the outage once per change of state, not once per reconnect attempt', async () => {
    const lines: { level: string; msg: string }[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as { level: string; msg: string }) } });
    const port = await freePort();
    runtime = await openRuntime(
      { REDIS_URL: `redis://127.0.0.1:${port}`, IPENRICH_PREFIX: 'outage-logging', MDE_TENANT_ID: 'tenant', MDE_CLIENT_ID: 'client', MDE_CLIENT_SECRET: 'not-used-here', LOG_LEVEL: 'debug' },
      { waitForRedis: true, logger },
    );
    let attempts = 0;
    runtime.redis.on('error', () => (attempts += 1));
    const starting = startWorker(runtime);
    // Reconnects back off 100, 200, 400, 800 ms…: wait for several failed attempts, however long they take.
    await waitFor(() => `three failed reconnect attempts (saw ${attempts})`, () => attempts >= 3, 60_000);
    const failedAttempts = attempts;
    const loud = lines.filter((line) => line.level === 'warn' || line.level === 'error');

    redis = await startLocalRedis({ port });
    const worker = await starting;
    await waitFor('the recovery line', () => lines.some((line) => line.msg === 'Redis available again'), 10_000);
    await worker.close(1_000);

    expect(loud.map((line) => line.msg)).toEqual(['Redis unavailable; retrying with backoff']);
    expect(failedAttempts).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => line.msg === 'Redis available again')).toHaveLength(1);
  }, 120_000);
});
