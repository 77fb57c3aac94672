import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { SHARED_COUNTERS, SHARED_HISTOGRAMS, type SharedHistogramDefinition } from './shared-metric-definitions.js';

type Labels = Readonly<Record<string, string>>;

interface CounterSample {
  readonly labels: Labels;
  readonly value: number;
}

interface HistogramSample {
  readonly labels: Labels;
  /** Count per bucket (not cumulative), in the order of the definition's buckets, then +Inf. */
  readonly buckets: readonly number[];
  readonly sum: number;
}

/** The totals of every shared metric, by metric name. */
export interface SharedSnapshot {
  readonly counters: ReadonlyMap<string, readonly CounterSample[]>;
  readonly histograms: ReadonlyMap<string, readonly HistogramSample[]>;
}

/** Label values as the writer stored them (a JSON array), named; undefined for a field we did not write. */
function parseLabels(field: string, labelNames: readonly string[]): Labels | undefined {
  let values: unknown;
  try {
    values = JSON.parse(field);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== labelNames.length || !values.every((v) => typeof v === 'string')) return undefined;
  return Object.fromEntries(labelNames.map((name, i) => [name, values[i] as string]));
}

function histogramSamples(definition: SharedHistogramDefinition, raw: Record<string, string>): HistogramSample[] {
  const byLabels = new Map<string, { labels: Labels; buckets: number[]; sum: number }>();
  for (const [field, text] of Object.entries(raw)) {
    const split = field.lastIndexOf('\n');
    const labels = split === -1 ? undefined : parseLabels(field.slice(0, split), definition.labelNames);
    if (!labels) continue;
    const labelKey = field.slice(0, split);
    let sample = byLabels.get(labelKey);
    if (!sample) {
      sample = { labels, buckets: new Array<number>(definition.buckets.length + 1).fill(0), sum: 0 };
      byLabels.set(labelKey, sample);
    }
    const part = field.slice(split + 1);
    const value = Number(text);
    if (part === 'sum') sample.sum = value;
    else if (/^b\d+$/.test(part) && Number(part.slice(1)) <= definition.buckets.length) sample.buckets[Number(part.slice(1))] = value;
  }
  return [...byLabels.values()];
}

/** Reads every shared metric in one round trip. */
export async function readSharedMetrics(redis: Redis, keys: KeySpace): Promise<SharedSnapshot> {
  const pipeline = redis.pipeline();
  for (const definition of [...SHARED_COUNTERS, ...SHARED_HISTOGRAMS]) pipeline.hgetall(keys.metric(definition.name));
  const replies = (await pipeline.exec()) ?? [];
  const raw = replies.map(([error, value]) => {
    if (error) throw error;
    return value as Record<string, string>;
  });

  const counters = new Map<string, CounterSample[]>();
  SHARED_COUNTERS.forEach((definition, i) => {
    const samples: CounterSample[] = [];
    for (const [field, text] of Object.entries(raw[i] ?? {})) {
      const labels = parseLabels(field, definition.labelNames);
      if (labels) samples.push({ labels, value: Number(text) });
    }
    counters.set(definition.name, samples);
  });
  const histograms = new Map<string, HistogramSample[]>();
  SHARED_HISTOGRAMS.forEach((definition, i) => {
    histograms.set(definition.name, histogramSamples(definition, raw[SHARED_COUNTERS.length + i] ?? {}));
  });
  return { counters, histograms };
}
