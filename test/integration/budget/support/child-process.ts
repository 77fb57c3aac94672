import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A TypeScript script run as a separate Node process (`node --import tsx`), talking in JSON lines. */
export interface Child {
  readonly process: ChildProcess;
  /** Resolves with the next JSON line the child prints that has `event === name`. */
  next<T = Record<string, unknown>>(name: string): Promise<T>;
  send(message: unknown): void;
  /** Resolves when the process has exited, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** `nodeOptions` go to Node itself (before the script), e.g. `--cpu-prof`, which NODE_OPTIONS refuses. */
export function spawnChild(script: URL, args: readonly string[], env: NodeJS.ProcessEnv = process.env, nodeOptions: readonly string[] = []): Child {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', fileURLToPath(script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env,
  });
  const seen: Record<string, unknown>[] = [];
  const waiting: { name: string; resolve: (value: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const index = waiting.findIndex((w) => w.name === message.event);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(message);
    else seen.push(message);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    next<T>(name: string): Promise<T> {
      const index = seen.findIndex((m) => m.event === name);
      if (index >= 0) return Promise.resolve(seen.splice(index, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        waiting.push({ name, resolve: (value) => resolve(value as T) });
        void exited.then((code) => reject(new Error(`child exited (${String(code)}) before sending "${name}"`)));
      });
    },
    send(message) {
      child.stdin.write(`${JSON.stringify(message)}\n`);
    },
    exited,
  };
}

/** In a child: print one JSON line for the parent. */
export function tell(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
}

/** In a child: the one JSON line the parent sends (stdin is closed after it). */
export function hear<T>(): Promise<T> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', (line) => {
      lines.close();
      // One message per child: an open stdin would keep it alive after its work is done.
      process.stdin.destroy();
      resolve(JSON.parse(line) as T);
    });
  });
}
