import { openRuntime, type Runtime } from '../../../../src/composition/runtime.js';
import { startWorker, type StartedWorker } from '../../../../src/composition/start-worker.js';
import { startEmulators, type Emulators } from '../../../../src/emulators/emulators.js';
import { testRedisUrl, uniquePrefix } from '../../../support/redis.js';

/** A worker in this process on the emulators and the test Redis, with a budget scaled by `env`. */
export interface BudgetWorker {
  readonly emulators: Emulators;
  readonly runtime: Runtime;
  readonly worker: StartedWorker;
  /** The state of a job by id (undefined once gone). */
  readonly stateOf: (jobId: string) => Promise<string | undefined>;
  close(): Promise<void>;
}

/** An ECS alert (severity medium) with the given IPs in `related.ip`. */
export function ecsAlert(id: string, ips: string[]): unknown {
  return { '@timestamp': '2026-11-26T10:00:00Z', event: { id, kind: 'alert', severity: 73 }, related: { ip: ips } };
}

/** One worker slot, no rate-limit margin, silent logs; `env` sets the budget and the waits. */
export async function startBudgetWorker(label: string, env: Record<string, string>): Promise<BudgetWorker> {
  const emulators = await startEmulators();
  const runtime = await openRuntime(
    {
      ...emulators.env,
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: uniquePrefix(label),
      MDE_RATE_SAFETY_MS: '0',
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'silent',
      ...env,
    },
    { waitForRedis: true },
  );
  const worker = await startWorker(runtime);
  return {
    emulators,
    runtime,
    worker,
    stateOf: async (jobId) => (await runtime.queue.getJob(jobId))?.getState(),
    async close() {
      await worker.close(5_000);
      await runtime.queue.obliterate({ force: true });
      await runtime.close();
      await emulators.close();
    },
  };
}
