import { parseArgs } from 'node:util';
import { IpenrichError } from '../errors.js';
import { extractIps } from '../extract/extract-ips.js';
import { DEFAULT_EXTRACT_OPTIONS, type ExtractOptions } from '../extract/options.js';
import { parseAlertText } from '../extract/parse-alert-text.js';
import type { Command } from './command.js';
import { readInput } from './read-input.js';

const usage = `Usage: ipenrich extract [FILE|-]

Prints the IP addresses an analyst would call indicators in one alert (JSON; "-" or no FILE reads
stdin), as one JSON line: {"ips":[{"ip","version","range","enrich","reason"?,"paths":[…]}],
"cidrs":[…],"truncated":bool}; cidrs are networks, "10.0.0.0/8" or "10.0.0.0-10.255.255.255".
Needs no Redis and no Defender configuration. What is and is not read: docs/extraction.md.

Settings: EXTRACT_MAX_INPUT_BYTES, EXTRACT_MAX_DEPTH, EXTRACT_MAX_IPS, EXTRACT_ENRICH_RANGES.
Exit status: 0 done, 2 input that is not JSON or too large.`;

const SETTINGS = ['EXTRACT_MAX_INPUT_BYTES', 'EXTRACT_MAX_DEPTH', 'EXTRACT_MAX_IPS', 'EXTRACT_ENRICH_RANGES', 'IPENRICH_CONFIG'];

/**
 * The extraction settings. The full configuration (and zod with it) loads only when one of them
 * is set: `extract` stays quick to start and never depends on Redis or Defender settings.
 */
async function extractOptions(env: NodeJS.ProcessEnv): Promise<ExtractOptions> {
  if (!SETTINGS.some((name) => env[name] !== undefined || env[`${name}_FILE`] !== undefined)) return DEFAULT_EXTRACT_OPTIONS;
  const { loadConfig } = await import('../config/load.js');
  const config = loadConfig(env);
  return {
    maxInputBytes: config.EXTRACT_MAX_INPUT_BYTES,
    maxDepth: config.EXTRACT_MAX_DEPTH,
    maxIps: config.EXTRACT_MAX_IPS,
    enrichRanges: config.EXTRACT_ENRICH_RANGES,
  };
}

export const command: Command = {
  name: 'extract',
  summary: 'print the IP addresses in an alert (JSON), with range and enrichment decision',
  usage,
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length > 1) throw new IpenrichError('USAGE', `extract reads one alert; got ${positionals.length} arguments`);
    const options = await extractOptions(io.env);
    const data = await readInput(positionals[0] ?? '-', io.stdin, options.maxInputBytes);
    const result = extractIps(parseAlertText(data, options.maxInputBytes), options);
    io.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
};
