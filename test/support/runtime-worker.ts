import { openRuntime, type Runtime } from '../../src/composition/runtime.js';
import { startWorker, type StartedWorker } from '../../src/composition/start-worker.js';

/** A runtime and its worker as `ipenrich worker` runs them, from `env`; `close` also empties the queue. */
export interface RuntimeWorker {
  readonly runtime: Runtime;
  readonly worker: StartedWorker;
  close(): Promise<void>;
}

export async function startRuntimeWorker(env: NodeJS.ProcessEnv): Promise<RuntimeWorker> {
  const runtime = await openRuntime(env, { waitForRedis: true });
  const worker = await startWorker(runtime);
  return {
    runtime,
    worker,
    async close() {
      await worker.close(5_000);
      await runtime.queue.obliterate({ force: true });
      await runtime.close();
    },
  };
}
