/**
 * Benchmark runner: `npm run bench -- [name…] [--smoke] [--write]`.
 * Each benchmark prints its figures and returns a Markdown section; `--write` replaces that
 * section in BENCHMARKS.md (between `<!-- bench:NAME -->` markers). `--smoke` runs a short version
 * (CI), whose figures are never written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runtimeMismatch } from './shipped-node.js';

export interface BenchOptions {
  readonly smoke: boolean;
}
export type Benchmark = (options: BenchOptions) => Promise<string>;

const BENCHMARKS: Record<string, () => Promise<{ run: Benchmark }>> = {
  budget: () => import('./budget/index.js'),
  extract: () => import('./extract/index.js'),
  throughput: () => import('./throughput/index.js'),
  ingress: () => import('./ingress/index.js'),
  fairness: () => import('./fairness/index.js'),
  hunting: () => import('./hunting/index.js'),
  'cache-policy': () => import('./cache-policy/index.js'),
};

function replaceSection(name: string, markdown: string): void {
  const file = 'BENCHMARKS.md';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${markdown.trim()}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  writeFileSync(file, pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`);
}

async function main(argv: string[]): Promise<number> {
  const smoke = argv.includes('--smoke');
  const write = argv.includes('--write') && !smoke;
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const mismatch = runtimeMismatch();
  if (mismatch && write) {
    process.stderr.write(`bench: --write records figures for the runtime users run; ${mismatch}\n`);
    return 2;
  }
  if (mismatch) process.stderr.write(`bench: figures below are not comparable with BENCHMARKS.md; ${mismatch}\n`);
  for (const name of selected) {
    const load = BENCHMARKS[name];
    if (!load) {
      process.stderr.write(`bench: unknown benchmark "${name}" (known: ${Object.keys(BENCHMARKS).join(', ')})\n`);
      return 2;
    }
    const { run } = await load();
    process.stdout.write(`\n== ${name}${smoke ? ' (smoke)' : ''} ==\n`);
    const markdown = await run({ smoke });
    process.stdout.write(`${markdown.trim()}\n`);
    if (write) replaceSection(name, markdown);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${String(error instanceof Error ? error.stack : error)}\n`);
    process.exitCode = 1;
  },
);
