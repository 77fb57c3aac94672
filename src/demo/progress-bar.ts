import type { Writable } from 'node:stream';

/**
 * A one-line progress bar. On a terminal it redraws in place; elsewhere (CI logs, pipes) it prints a
 * line only when the count changes, so logs stay readable.
 */
export class ProgressBar {
  private lastLine = '';

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly total: number,
    private readonly width = 30,
  ) {}

  update(done: number, detail: string): void {
    const ratio = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const filled = Math.round(ratio * this.width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${done}/${this.total} alerts${detail ? `  ${detail}` : ''}`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (this.out.isTTY) this.out.write(`\r${line}\u001b[K`);
    else this.out.write(`${line}\n`);
  }

  finish(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
