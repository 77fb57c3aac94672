import { openRuntime } from '../composition/runtime.js';
import { startWorker } from '../composition/start-worker.js';
import type { Command } from './command.js';
import { untilStopSignal } from './stop-signal.js';

const usage = `Usage: ipenrich worker

Processes the alert queue (WORKER_CONCURRENCY jobs at once) until SIGTERM or SIGINT, then stops
taking jobs, lets active ones finish within WORKER_SHUTDOWN_TIMEOUT_MS, hands the rest back to the
queue and exits 0. Run as many worker processes as you like against one Redis: the API budget,
cache and coalescing are shared.`;

export const command: Command = {
  name: 'worker',
  summary: 'process the alert queue until SIGTERM/SIGINT, then drain gracefully',
  usage,
  async run(_args, io) {
    const runtime = await openRuntime(io.env, { waitForRedis: true });
    const { logger, config } = runtime;
    const worker = await startWorker(runtime);
    logger.info({ concurrency: config.WORKER_CONCURRENCY, sinks: config.SINKS, tenants: Object.keys(config.tenants) }, 'worker started');

    const signal = await untilStopSignal();
    logger.info({ signal }, 'shutting down: finishing active jobs');
    const handedBack = await worker.close(config.WORKER_SHUTDOWN_TIMEOUT_MS);
    if (handedBack) {
      // Calls of handed-back jobs are still in flight; end now rather than let them finish jobs
      // whose lock is gone. Another worker completes those jobs once their lock expires.
      logger.info({ handedBack }, 'worker stopped');
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      process.exit(0);
    }
    await runtime.close();
    logger.info({ handedBack }, 'worker stopped');
    return 0;
  },
};
