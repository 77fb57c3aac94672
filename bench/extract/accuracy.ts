import type { CorpusAlert } from './corpus.js';
import { canonicalSet, type Tool } from './tools.js';

export interface Accuracy {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Alerts whose IP set was exactly the expected one. */
  readonly exact: number;
  readonly alerts: number;
  /** What was wrong, per alert label: `+ip` reported but not expected, `-ip` missed. */
  readonly mistakes: ReadonlyArray<readonly [label: string, errors: string[]]>;
}

export function precision(accuracy: Accuracy): number {
  return accuracy.truePositives / (accuracy.truePositives + accuracy.falsePositives);
}

export function recall(accuracy: Accuracy): number {
  return accuracy.truePositives / (accuracy.truePositives + accuracy.falseNegatives);
}

/** Micro-averaged counts of a tool over labelled alerts. */
export function score(tool: Tool, alerts: ReadonlyArray<CorpusAlert & { readonly label?: string }>): Accuracy {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let exact = 0;
  const mistakes: Array<[string, string[]]> = [];
  alerts.forEach((alert, index) => {
    const found = canonicalSet(tool.extract(alert.text));
    const expected = new Set(alert.expected);
    const errors: string[] = [];
    for (const ip of found) {
      if (expected.has(ip)) truePositives++;
      else {
        falsePositives++;
        errors.push(`+${ip}`);
      }
    }
    for (const ip of expected) {
      if (found.has(ip)) continue;
      falseNegatives++;
      errors.push(`-${ip}`);
    }
    if (errors.length === 0) exact++;
    else mistakes.push([alert.label ?? `#${index}`, errors]);
  });
  return { truePositives, falsePositives, falseNegatives, exact, alerts: alerts.length, mistakes };
}
