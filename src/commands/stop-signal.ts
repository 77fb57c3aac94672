import type { Writable } from 'node:stream';
import { EXIT_CODES } from '../errors.js';
import type { Redis } from '../redis/connection.js';

/** Resolves with the first SIGINT or SIGTERM, then stops listening: long-running commands shut down on it. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export interface StartupStop {
  /** The first SIGINT or SIGTERM. */
  readonly signal: Promise<NodeJS.Signals>;
  /** The connection whose readiness means the drain can handle a signal. */
  watch(redis: Redis): void;
  /** The worker is running: from now on a signal always goes through its drain. */
  started(): void;
}

/**
 * Listens for the stop signal from the start of a command that runs a worker. A signal while the
 * worker still waits for Redis (BullMQ's worker is not ready before Redis answers, so it holds no
 * job) ends the process at once, exit 0, with one line on stderr, instead of Node's default handler
 * killing it; once Redis answered or the worker runs, the command's drain handles it.
 */
export function stopSignalDuringStartup(command: string, stderr: Writable): StartupStop {
  const signal = untilStopSignal();
  let redis: Redis | undefined;
  let running = false;
  void signal.then((name) => {
    if (running || redis?.status === 'ready') return;
    stderr.write(`ipenrich ${command}: ${name} while connecting to Redis; exiting before taking any job\n`);
    process.exit(EXIT_CODES.ok);
  });
  return {
    signal,
    watch: (connection) => {
      redis = connection;
    },
    started: () => {
      running = true;
    },
  };
}
