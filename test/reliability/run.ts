/**
 * `npm run reliability [-- --short]`: runs the reliability suite (test/reliability) one file at a
 * time, full size, and rewrites the generated sections of RELIABILITY.md with the figures of this
 * run, failures included. `--short` runs the CI sizes and writes nothing. Exits with vitest's code.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FIGURES_DIR_ENV, FULL_ENV, type ScenarioFigures } from './support/figures.js';
import { renderReport, type ScenarioOutcome } from './support/render-report.js';

/** The scenario files, in the order RELIABILITY.md lists them; the file name is the scenario key. */
const SCENARIOS = ['worker-kill', 'redis-restart', 'sink-outage', 'defender-faults', 'token-outage', 'worker-stop'];
const REPORT = 'RELIABILITY.md';

interface VitestJson {
  readonly testResults: readonly {
    readonly name: string;
    readonly status: string;
    readonly message?: string;
    readonly assertionResults: readonly { readonly status: string; readonly failureMessages: readonly string[] }[];
  }[];
}

function runVitest(env: NodeJS.ProcessEnv, jsonPath: string): Promise<number> {
  const args = ['node_modules/vitest/vitest.mjs', 'run', 'test/reliability', '--fileParallelism=false', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonPath}`];
  const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function main(argv: readonly string[]): Promise<number> {
  const short = argv.includes('--short');
  const dir = mkdtempSync(join(tmpdir(), 'ipenrich-reliability-'));
  const jsonPath = join(dir, 'vitest.json');
  const started = Date.now();
  try {
    const code = await runVitest({ ...process.env, [FULL_ENV]: short ? '0' : '1', [FIGURES_DIR_ENV]: dir }, jsonPath);
    const wallSeconds = (Date.now() - started) / 1000;
    if (short) return code;
    if (!existsSync(jsonPath)) {
      process.stderr.write(`reliability: vitest wrote no report; ${REPORT} left as it was\n`);
      return code === 0 ? 1 : code;
    }
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as VitestJson;
    const figures = new Map(
      readdirSync(dir)
        .filter((name) => name.endsWith('.json') && name !== 'vitest.json')
        .map((name) => {
          const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ScenarioFigures & { mode: string };
          return [parsed.scenario, parsed] as const;
        }),
    );
    const outcomes: ScenarioOutcome[] = SCENARIOS.map((scenario) => {
      const file = report.testResults.find((result) => basename(result.name) === `${scenario}.test.ts`);
      const failures = [
        ...(file?.message ? [file.message] : []),
        ...(file?.assertionResults ?? []).flatMap((assertion) => assertion.failureMessages.map((message) => message.split('\n')[0] ?? message)),
      ];
      const found = figures.get(scenario);
      return { scenario, passed: file?.status === 'passed', failures: file ? failures : ['did not run'], ...(found ? { figures: found } : {}) };
    });
    const markdown = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '# Reliability\n';
    const machine = `${cpus().length} cores, Node ${process.version}`;
    writeFileSync(REPORT, renderReport(markdown, outcomes, { date: new Date().toISOString().slice(0, 10), mode: 'full', wallSeconds, machine }));
    process.stdout.write(`\nreliability: ${REPORT} updated (${outcomes.filter((o) => o.passed).length}/${outcomes.length} scenarios passed, ${(wallSeconds / 60).toFixed(1)} min)\n`);
    return code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`reliability failed: ${String(error instanceof Error ? error.stack : error)}\n`);
    process.exitCode = 1;
  },
);
