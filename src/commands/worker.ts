import { parseArgs } from 'node:util';
import { openRuntime } from '../composition/runtime.js';
import { deliveredSinkNames } from '../composition/sinks-from-config.js';
import { startWorker, WORKER_CLOSE_MS } from '../composition/start-worker.js';
import { checkWorkerCredentials } from '../composition/worker-credentials.js';
import { loadConfig } from '../config/load.js';
import { EXIT_CODES } from '../errors.js';
import { settleBy } from '../settle-by.js';
import type { Command } from './command.js';
import { stopSignalDuringStartup } from './stop-signal.js';

const usage = `Usage: ipenrich worker

Processes the alert queue (WORKER_CONCURRENCY jobs at once) until SIGTERM or SIGINT, then stops
taking jobs and lets active ones finish within WORKER_SHUTDOWN_TIMEOUT_MS, whatever state Redis,
Defender or a sink is in. Exits 0 when every job it held was finished, ${EXIT_CODES.shutdownForced} when the timeout ran
out first (or a second signal came): those jobs are not lost, another worker takes them over once
their lock (WORKER_LOCK_MS) expires. It exits at most ${WORKER_CLOSE_MS / 1000} s after the timeout (closing
connections). Run as many worker processes as you like against one Redis: the API budget, cache
and coalescing are shared.`;

/** Job ids in the exit line: enough to find them in `ipenrich status`, bounded for a huge concurrency. */
const MAX_LISTED_JOBS = 100;

export const command: Command = {
  name: 'worker',
  summary: 'process the alert queue until SIGTERM/SIGINT, then drain gracefully',
  usage,
  async run(args, io) {
    // No options: a flag or argument here is a mistake, not something to ignore.
    parseArgs({ args, options: {} });
    // Before waiting for Redis: a worker that cannot sign in to Entra ID should not start at all.
    const config = loadConfig(io.env);
    checkWorkerCredentials(config);
    const stop = stopSignalDuringStartup('worker', io.stderr);
    const runtime = await openRuntime(io.env, { config, waitForRedis: true });
    stop.watch(runtime.redis);
    const { logger } = runtime;
    const worker = await startWorker(runtime);
    stop.started();
    // Per tenant: a tenant may set SINKS of its own (IPENRICH_CONFIG), the top level is only the default.
    const sinks = Object.fromEntries(Object.values(config.tenants).map((tenant) => [tenant.name, deliveredSinkNames(tenant)]));
    logger.info({ concurrency: config.WORKER_CONCURRENCY, sinks, tenants: Object.keys(config.tenants) }, 'worker started');

    const signal = await stop.signal;
    const stoppingAt = Date.now();
    const timeoutMs = config.WORKER_SHUTDOWN_TIMEOUT_MS;
    let exitCode: number | undefined;
    // The one way out, logged once; a later call (a signal during the last flush) keeps the first
    // code. Always process.exit: a job left behind still has calls in flight, and a connection
    // that could not be closed would keep the process alive.
    const exit = async (code: number, fields: Record<string, unknown>): Promise<never> => {
      if (exitCode === undefined) {
        exitCode = code;
        const leftBehind = worker.alertWorker.heldJobs();
        const line = { ...fields, exitCode: code, leftBehind: leftBehind.length, jobIds: leftBehind.slice(0, MAX_LISTED_JOBS), elapsedMs: Date.now() - stoppingAt };
        if (code === EXIT_CODES.ok) logger.info(line, 'worker stopped');
        else logger.warn(line, 'worker stopped');
        await settleBy(new Promise<void>((resolve) => logger.flush(() => resolve())), Date.now() + 1_000);
      }
      process.exit(exitCode);
    };
    // A second signal means "now": the operator will not wait for the drain.
    const again = (second: NodeJS.Signals): void => void exit(EXIT_CODES.shutdownForced, { signal: second, reason: 'second signal' });
    process.once('SIGTERM', again);
    process.once('SIGINT', again);
    logger.info({ signal, timeoutMs }, 'shutting down: finishing active jobs');

    // Every step bounds its own waits; this bounds their sum, whatever slipped through.
    const closeBy = stoppingAt + timeoutMs + WORKER_CLOSE_MS;
    const closing = (async () => {
      const { leftBehind } = await worker.close(timeoutMs, WORKER_CLOSE_MS);
      // Jobs left behind still have calls in flight on these connections; the exit drops them.
      if (leftBehind.length === 0) await runtime.close(Math.max(0, closeBy - Date.now()));
    })();
    const closed = await settleBy(closing, closeBy);
    const drained = worker.alertWorker.heldJobs().length === 0;
    return exit(drained ? EXIT_CODES.ok : EXIT_CODES.shutdownForced, { signal, reason: drained ? 'drained' : 'shutdown timeout', closed });
  },
};
