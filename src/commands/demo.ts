import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTls, TLS_DIR_ENV } from '../emulators/tls.js';
import { IpenrichError } from '../errors.js';
import type { Command, CommandIo } from './command.js';
import { runDemo } from '../demo/run-demo.js';
import { packageRoot } from '../package-root.js';

const CHILD_MARKER = 'IPENRICH_DEMO_CHILD';

const usage = `Usage: ipenrich demo [--alerts DIR]

The embedded default, no cloud account needed: starts redis-server (unless REDIS_URL is set), the
Entra ID and Defender emulators and a Standard Webhooks receiver, runs a worker, enriches the
bundled sample alerts (examples/alerts, or --alerts DIR), shows progress and a summary table, and
exits 0 after stopping everything it started.`;

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start, so the demo makes the emulators' certificate first
 * and runs itself again with that certificate trusted, exactly as a customer trusts a private CA.
 */
async function relaunchTrusting(args: string[], io: CommandIo): Promise<number> {
  const tls = await generateTls();
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot find the ipenrich entry script to relaunch');
  const child = spawn(process.execPath, [...process.execArgv, script, 'demo', ...args], {
    env: { ...io.env, NODE_EXTRA_CA_CERTS: tls.certPath, [TLS_DIR_ENV]: dirname(tls.certPath), [CHILD_MARKER]: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/** Every `*.json` file of `dir`, one alert each; a file that is not JSON is named in the error. */
function loadAlerts(dir: string): { name: string; alert: unknown }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new IpenrichError('USAGE', `cannot read the alerts directory ${dir} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (names.length === 0) throw new IpenrichError('USAGE', `${dir} holds no .json alert file`);
  return names.map((name) => {
    const file = join(dir, name);
    try {
      return { name: name.replace(/\.json$/, ''), alert: JSON.parse(readFileSync(file, 'utf8')) as unknown };
    } catch (error) {
      if (error instanceof SyntaxError) throw new IpenrichError('INPUT_NOT_JSON', `${file} is not JSON: ${error.message}`);
      throw new IpenrichError('USAGE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  });
}

export const command: Command = {
  name: 'demo',
  summary: 'enrich the bundled sample alerts against local emulators (no cloud account needed)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { alerts: { type: 'string' } } });
    if (io.env[CHILD_MARKER] !== '1') return relaunchTrusting(args, io);
    const alerts = loadAlerts(values.alerts ?? join(packageRoot(), 'examples', 'alerts'));
    return runDemo(alerts, io, { secret: `whsec_${randomBytes(32).toString('base64')}` });
  },
};
