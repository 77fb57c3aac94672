import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, CommandIo } from './commands/command.js';
import { ERROR_CODES, IpenrichError, toIpenrichError } from './errors.js';
import { packageRoot } from './package-root.js';
import { scrubSecrets } from './secrets.js';

/** Commands load lazily so `extract` does not pay for BullMQ or msal-node. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  extract: () => import('./commands/extract.js'),
  enqueue: () => import('./commands/enqueue.js'),
  dlq: () => import('./commands/dlq.js'),
  worker: () => import('./commands/worker.js'),
  serve: () => import('./commands/serve.js'),
  demo: () => import('./commands/demo.js'),
  status: () => import('./commands/status.js'),
  'webhook-enable': () => import('./commands/webhook-enable.js'),
  lookup: () => import('./commands/lookup.js'),
  calibrate: () => import('./commands/calibrate.js'),
  emulate: () => import('./commands/emulate.js'),
  healthcheck: () => import('./commands/healthcheck.js'),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

async function help(io: CommandIo): Promise<void> {
  const lines = ['Usage: ipenrich <command> [options]', '', 'Commands:'];
  for (const load of Object.values(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${command.name.padEnd(15)} ${command.summary}`);
  }
  lines.push('', 'Run `ipenrich <command> --help` for a command\'s options. Configuration: see README.md.');
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** What node:util parseArgs throws for an unknown option, a missing value or a stray argument. */
function isParseArgsError(thrown: unknown): thrown is Error {
  const code: unknown = thrown instanceof Error ? (thrown as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await help(io);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`ipenrich: unknown command "${name}"; run ipenrich --help\n`);
    return 2;
  }
  const { command } = await load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (thrown) {
    const error = isParseArgsError(thrown) ? new IpenrichError('USAGE', `${thrown.message}; run ipenrich ${name} --help`) : toIpenrichError(thrown);
    io.stderr.write(`ipenrich ${name}: ${error.code}: ${scrubSecrets(error.message)}\n`);
    // The registry's exit code (2: fix the input or command line; 1: a failure).
    return ERROR_CODES[error.code].exit;
  }
}
