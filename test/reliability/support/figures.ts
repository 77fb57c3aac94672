import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Set by `npm run reliability` (run.ts): where each scenario leaves its figures for RELIABILITY.md. */
export const FIGURES_DIR_ENV = 'RELIABILITY_FIGURES_DIR';
/** `1`: the full suite (npm run reliability); otherwise the short version that runs in CI. */
export const FULL_ENV = 'RELIABILITY_FULL';

const FULL = process.env[FULL_ENV] === '1';

/** The short value in CI, the full one under `npm run reliability`. */
export function sized<T>(short: T, full: T): T {
  return FULL ? full : short;
}

/** What the secrets scan of one scenario read, and what it found (scenario 6 sums these). */
interface ScanFigures {
  readonly findings: number;
  readonly logLines: number;
  readonly texts: number;
  readonly bytes: number;
}

export interface ScenarioFigures {
  /** Stable key: the marker in RELIABILITY.md (`<!-- reliability:KEY -->`). */
  readonly scenario: string;
  readonly title: string;
  readonly rows: readonly (readonly [label: string, value: string | number])[];
  /** Wall time of the scenario, seconds (reported, never asserted). */
  readonly seconds: number;
  readonly scan: ScanFigures;
}

/** Prints a scenario's figures and, under `npm run reliability`, saves them for RELIABILITY.md. */
export function reportFigures(scenario: ScenarioFigures): void {
  const { scan } = scenario;
  const figures = {
    ...scenario,
    rows: [...scenario.rows, ['secrets found (worker log lines / texts / MB scanned)', `${scan.findings} (${scan.logLines} / ${scan.texts} / ${(scan.bytes / 1e6).toFixed(1)})`] as const],
  };
  const width = Math.max(...figures.rows.map(([label]) => label.length));
  const lines = figures.rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  process.stdout.write(`\n[reliability] ${figures.title} (${FULL ? 'full' : 'short'}, ${figures.seconds.toFixed(1)} s)\n${lines.join('\n')}\n`);
  const dir = process.env[FIGURES_DIR_ENV];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${figures.scenario}.json`), JSON.stringify({ ...figures, mode: FULL ? 'full' : 'short' }, null, 2));
}
