import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./stderr-child.ts', import.meta.url));

function start(mode: string): { stderr: () => string; firstLine: Promise<string>; exited: Promise<number | null>; close: () => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['pipe', 'ignore', 'pipe'] });
  let text = '';
  const firstLine = new Promise<string>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { stderr: () => text, firstLine, exited, close: () => child.stdin.end() };
}

describe('the default log destination (buffered stderr)', () => {
  it('shows a line of a process that stays up and logs nothing more', async () => {
    const child = start('stay');
    const line = JSON.parse(await child.firstLine) as { msg: string; mode: string };
    expect(line).toMatchObject({ msg: 'first line', mode: 'stay' });
    child.close();
    expect(await child.exited).toBe(0);
  });

  it.each([
    ['exit', 5],
    ['crash', 1],
  ])('writes what is buffered when the process ends by %s', async (mode, code) => {
    const child = start(mode);
    expect(await child.exited).toBe(code);
    expect(child.stderr()).toContain('"msg":"first line"');
  });
});
