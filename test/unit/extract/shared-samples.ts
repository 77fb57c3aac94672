import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One labelled sample alert (`/work/shared/samples/labels.json`). */
interface SampleLabel {
  readonly file: string;
  readonly source: string;
  readonly format: string;
  readonly expected_ips: string[];
  readonly notes: Record<string, unknown>;
}

export interface LabelledSample extends SampleLabel {
  /** The alert file's bytes. */
  readonly text: Buffer;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The shared samples folder: `IPENRICH_SAMPLES_DIR` when set, else `shared/samples` beside the
 * clone or beside any folder above it (the layout on workstations and in CI).
 */
function samplesDir(): string {
  const fromEnv = process.env.IPENRICH_SAMPLES_DIR;
  const candidates = fromEnv ? [fromEnv] : [];
  for (let dir = REPO_ROOT; ; dir = dirname(dir)) {
    candidates.push(join(dir, '..', 'shared', 'samples'), join(dir, 'shared', 'samples'));
    if (dirname(dir) === dir) break;
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'labels.json')));
  if (!found) throw new Error(`shared samples not found (looked for labels.json in ${candidates.join(', ')}); set IPENRICH_SAMPLES_DIR`);
  return found;
}

export function loadSamples(): LabelledSample[] {
  const dir = samplesDir();
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as SampleLabel[];
  return labels.map((label) => ({ ...label, text: readFileSync(join(dir, 'alerts', label.file)) }));
}
