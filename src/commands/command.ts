import type { Writable, Readable } from 'node:stream';

/** What a command can touch besides its arguments: the streams, so tests can run commands in-process. */
export interface CommandIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly name: string;
  /** One line for `ipenrich --help`. */
  readonly summary: string;
  /** Usage text shown by `ipenrich <command> --help`. */
  readonly usage: string;
  /** Returns the process exit code: 0 ok, 1 failure, 2 bad input or usage. */
  run(args: string[], io: CommandIo): Promise<number>;
}
