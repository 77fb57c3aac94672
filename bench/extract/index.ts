/**
 * Benchmark `extract`: IP extraction speed and accuracy against ioc-extractor, in the same run.
 *
 *   npm run bench -- extract [--smoke] [--write]
 *
 * Accuracy: precision and recall on the labelled shared samples (ioc-extractor's IPv4/IPv6
 * output refanged by the tool itself and canonicalized by us, so only real differences count),
 * and on the benchmark corpus. Speed: MB/s over a corpus of mutated sample copies (fresh random
 * addresses, compact or indented JSON; deterministic seed), median of several interleaved rounds.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadSamples } from '../../test/unit/extract/shared-samples.js';
import type { BenchOptions, Benchmark } from '../run.js';
import { precision, recall, score, type Accuracy } from './accuracy.js';
import { buildCorpus, type CorpusAlert } from './corpus.js';
import { iocExtractor, ipenrich, type Tool } from './tools.js';

const SEED = 1;
const FULL = { corpusBytes: 4 * 1_048_576, rounds: 7 };
const SMOKE = { corpusBytes: 256 * 1_024, rounds: 2 };

function megabytesPerSecond(tool: Tool, corpus: readonly CorpusAlert[], bytes: number): number {
  const started = performance.now();
  for (const alert of corpus) tool.extract(alert.text);
  return bytes / 1_048_576 / ((performance.now() - started) / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;

function mistakes(accuracy: Accuracy): string {
  if (accuracy.mistakes.length === 0) return 'none';
  return accuracy.mistakes.map(([label, errors]) => `${label}: ${errors.join(' ')}`).join('; ');
}

function report(options: BenchOptions): string {
  const params = options.smoke ? SMOKE : FULL;
  const load = loadavg()[0] ?? 0;
  const samples = loadSamples();
  const labelled = samples.map((sample) => ({ label: sample.file.slice(0, 2), text: sample.text.toString('utf8'), expected: sample.expected_ips }));
  const corpus = buildCorpus(samples, params.corpusBytes, SEED);
  const bytes = corpus.reduce((sum, alert) => sum + Buffer.byteLength(alert.text), 0);
  const tools = [ipenrich, iocExtractor];

  const onSamples = tools.map((tool) => score(tool, labelled));
  const onCorpus = tools.map((tool) => score(tool, corpus));

  // Warm up both (JIT), then interleave rounds so machine load affects both alike.
  for (const tool of tools) megabytesPerSecond(tool, corpus, bytes);
  const speeds: number[][] = tools.map(() => []);
  for (let round = 0; round < params.rounds; round++) {
    tools.forEach((tool, i) => speeds[i]?.push(megabytesPerSecond(tool, corpus, bytes)));
  }
  const throughput = speeds.map(median);
  const [ours = Number.NaN, theirs = Number.NaN] = throughput;

  const rows = tools.map((tool, i) => {
    const sampleScore = onSamples[i] as Accuracy;
    const corpusScore = onCorpus[i] as Accuracy;
    return `| ${tool.name} | ${(throughput[i] ?? Number.NaN).toFixed(1)} | ${percent(precision(sampleScore))} | ${percent(recall(sampleScore))} | ${sampleScore.exact}/${sampleScore.alerts} | ${percent(precision(corpusScore))} | ${percent(recall(corpusScore))} |`;
  });

  return [
    '## IP extraction (`extract`)',
    '',
    `Command: \`npm run bench -- extract --write\`. Node ${process.version}, ${availableParallelism()} cores, load average ${load.toFixed(1)} at the start`,
    `(absolute MB/s move with the load; the ratio is measured in the same run). Corpus: ${corpus.length} alerts, ${(bytes / 1_048_576).toFixed(2)} MB,`,
    `mutated copies of the ${samples.length} labelled samples (seed ${SEED}); throughput is the median of ${params.rounds} interleaved rounds`,
    '(ipenrich: JSON.parse + extraction + classification; ioc-extractor: refang + extractIPv4s + extractIPv6s on the alert text).',
    '',
    '| tool | MB/s | precision (samples) | recall (samples) | samples exactly right | precision (corpus) | recall (corpus) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `ipenrich is **${(ours / theirs).toFixed(1)}×** the throughput of ioc-extractor on the same input.`,
    '',
    `Mistakes on the samples (\`+\` reported but not expected, \`-\` missed) — ipenrich: ${mistakes(onSamples[0] as Accuracy)};`,
    `ioc-extractor: ${mistakes(onSamples[1] as Accuracy)}.`,
  ].join('\n');
}

export const run: Benchmark = (options) => Promise.resolve(report(options));
