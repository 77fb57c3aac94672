import { spawnCli, waitFor, type CliProcess } from '../../support/cli-process.js';
import type { ScannedText } from './secret-scan.js';

/** One pino line of a worker process (LOG_LEVEL=debug), parsed. */
export interface WorkerLogLine {
  readonly worker: string;
  readonly level: string;
  readonly at: number;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

interface Incarnation {
  readonly name: string;
  readonly process: CliProcess;
  /** Said "worker started": it takes jobs. */
  ready: boolean;
}

/**
 * `ipenrich worker` processes in fixed slots: a slot's process can be killed and replaced by a new
 * one. Every process that ever ran keeps its output, so logs of killed workers are scanned too.
 */
export class WorkerFleet {
  readonly #env: NodeJS.ProcessEnv;
  readonly #slots: (Incarnation | undefined)[] = [];
  readonly #all: Incarnation[] = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.#env = env;
  }

  /** Starts a process in `slot` (replacing nothing: the slot must be empty) and waits until it takes jobs. */
  async start(slot: number): Promise<CliProcess> {
    if (this.#slots[slot]) throw new Error(`slot ${slot} already has a running worker`);
    const name = `worker ${slot}.${this.#all.filter((i) => i.name.startsWith(`worker ${slot}.`)).length}`;
    const incarnation: Incarnation = { name, process: spawnCli(['worker'], this.#env), ready: false };
    this.#slots[slot] = incarnation;
    this.#all.push(incarnation);
    const { process } = incarnation;
    await waitFor(
      () => `${name} to start (output: ${process.output().slice(-2_000)})`,
      () => {
        const { exitCode, signalCode } = process.child;
        if (exitCode !== null || signalCode !== null) throw new Error(`${name} ended (${exitCode ?? signalCode}) before it started: ${process.output().slice(-2_000)}`);
        return process.output().includes('"msg":"worker started"');
      },
      60_000,
    );
    incarnation.ready = true;
    return process;
  }

  async startAll(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, (_, slot) => this.start(slot)));
  }

  /** Slots whose process has started and takes jobs. */
  readySlots(): number[] {
    return this.#slots.flatMap((incarnation, slot) => (incarnation?.ready ? [slot] : []));
  }

  process(slot: number): CliProcess | undefined {
    return this.#slots[slot]?.process;
  }

  /** Sends `signal` to the slot's process, waits for it to end, and empties the slot. */
  async stop(slot: number, signal: NodeJS.Signals): Promise<number | string> {
    const incarnation = this.#slots[slot];
    if (!incarnation) throw new Error(`slot ${slot} is empty`);
    this.#slots[slot] = undefined;
    incarnation.process.child.kill(signal);
    return incarnation.process.exited;
  }

  /** SIGTERM to every running process (graceful drain), SIGKILL after `graceMs`. */
  async stopAll(graceMs = 15_000): Promise<void> {
    const running = this.#slots.flatMap((incarnation, slot) => (incarnation ? [slot] : []));
    await Promise.all(
      running.map(async (slot) => {
        const process = this.#slots[slot]?.process;
        const timer = setTimeout(() => process?.child.kill('SIGKILL'), graceMs);
        await this.stop(slot, 'SIGTERM');
        clearTimeout(timer);
      }),
    );
  }

  /** Processes started so far, killed ones included. */
  get started(): number {
    return this.#all.length;
  }

  /** Everything every process wrote (stdout and stderr), for the secrets scan. */
  outputs(): ScannedText[] {
    return this.#all.map((incarnation) => ({ source: incarnation.name, text: incarnation.process.output() }));
  }

  /** Every JSON log line of every process; anything else a process printed is returned as level `raw`. */
  logLines(): WorkerLogLine[] {
    return this.#all.flatMap((incarnation) =>
      incarnation.process
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line): WorkerLogLine => {
          try {
            const fields = JSON.parse(line) as Record<string, unknown>;
            const at = typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
            return { worker: incarnation.name, level: String(fields.level), at, msg: String(fields.msg), fields };
          } catch {
            return { worker: incarnation.name, level: 'raw', at: Number.NaN, msg: line, fields: {} };
          }
        }),
    );
  }
}
