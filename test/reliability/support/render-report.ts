import type { ScenarioFigures } from './figures.js';

/** One scenario file's outcome in the run (from vitest's JSON report). */
export interface ScenarioOutcome {
  readonly scenario: string;
  readonly passed: boolean;
  /** First line of each failure, when it failed. */
  readonly failures: readonly string[];
  /** Absent when the scenario failed before it took its figures. */
  readonly figures?: ScenarioFigures & { readonly mode: string };
}

export interface RunSummary {
  readonly date: string;
  readonly mode: 'full' | 'short';
  readonly wallSeconds: number;
  readonly machine: string;
}

const cell = (value: string | number): string => String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function scenarioSection(outcome: ScenarioOutcome, summary: RunSummary): string {
  const status = outcome.passed ? '**passed**' : '**FAILED**';
  const lines = [`Last ${summary.mode} run (${summary.date}): ${status}${outcome.figures ? ` in ${outcome.figures.seconds.toFixed(1)} s` : ''}.`];
  for (const failure of outcome.failures) lines.push('', `> ${cell(failure)}`);
  if (!outcome.figures) {
    lines.push('', 'The scenario failed before it took its figures.');
    return lines.join('\n');
  }
  lines.push('', '| figure | value |', '|---|---|');
  for (const [label, value] of outcome.figures.rows) lines.push(`| ${cell(label)} | ${cell(value)} |`);
  return lines.join('\n');
}

/** Scenario 6: the scans every scenario made, side by side, with their total. */
function secretsSection(outcomes: readonly ScenarioOutcome[], summary: RunSummary): string {
  const scanned = outcomes.filter((outcome) => outcome.figures);
  const total = { findings: 0, logLines: 0, texts: 0, bytes: 0 };
  const lines = [`Last ${summary.mode} run (${summary.date}): ${scanned.every((o) => o.figures?.scan.findings === 0) && scanned.length === outcomes.length ? '**passed**' : '**FAILED**'}.`, '', '| scenario | secrets found | worker log lines | texts scanned | MB scanned |', '|---|---|---|---|---|'];
  for (const outcome of scanned) {
    const scan = outcome.figures?.scan;
    if (!scan) continue;
    total.findings += scan.findings;
    total.logLines += scan.logLines;
    total.texts += scan.texts;
    total.bytes += scan.bytes;
    lines.push(`| ${outcome.scenario} | ${scan.findings} | ${scan.logLines} | ${scan.texts} | ${(scan.bytes / 1e6).toFixed(1)} |`);
  }
  lines.push(`| **all** | **${total.findings}** | ${total.logLines} | ${total.texts} | ${(total.bytes / 1e6).toFixed(1)} |`);
  return lines.join('\n');
}

function runSection(outcomes: readonly ScenarioOutcome[], summary: RunSummary): string {
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  return [
    `Last ${summary.mode} run: ${summary.date}, ${passed} of ${outcomes.length} scenarios passed, ${(summary.wallSeconds / 60).toFixed(1)} min wall time (${summary.machine}).`,
    '',
    '| scenario | result | seconds |',
    '|---|---|---|',
    ...outcomes.map((o) => `| ${o.scenario} | ${o.passed ? 'passed' : 'FAILED'} | ${o.figures ? o.figures.seconds.toFixed(1) : '–'} |`),
  ].join('\n');
}

/** Replaces the text between `<!-- reliability:KEY -->` and `<!-- /reliability:KEY -->`; appends the section when absent. */
function replaceSection(markdown: string, key: string, body: string): string {
  const start = `<!-- reliability:${key} -->`;
  const end = `<!-- /reliability:${key} -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) return `${markdown.trimEnd()}\n\n${section}\n`;
  return `${markdown.slice(0, from)}${section}${markdown.slice(to + end.length)}`;
}

/** RELIABILITY.md with every generated section replaced by this run's figures; the prose around them is kept. */
export function renderReport(markdown: string, outcomes: readonly ScenarioOutcome[], summary: RunSummary): string {
  let out = replaceSection(markdown, 'run', runSection(outcomes, summary));
  for (const outcome of outcomes) out = replaceSection(out, outcome.scenario, scenarioSection(outcome, summary));
  return replaceSection(out, 'secrets-scan', secretsSection(outcomes, summary));
}
