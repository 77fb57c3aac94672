import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IpenrichError } from '../errors.js';
import type { Command } from './command.js';
import { integerOption } from './integer-option.js';
import { untilStopSignal } from './stop-signal.js';
import { startEmulators } from '../emulators/emulators.js';
import { emulatorTlsDir } from '../config/emulator-tls-dir.js';
import { emulatorTls, generateTls } from '../emulators/tls.js';

const usage = `Usage: ipenrich emulate [--entra-port N] [--defender-port N] [--rate-limits LIMITS]
                        [--variant current|legacy] [--latency-ms N] [--error-rate F] [--tls-dir DIR]
                        [--write-env FILE]

Starts the Entra ID, Defender for Endpoint and Microsoft Graph advanced hunting emulators on
127.0.0.1 (HTTPS, self-signed certificate; Graph answers from the same synthetic organization as
Defender) and prints, on stdout, the environment that points ipenrich at them:
  export MDE_AUTHORITY_HOST=… MDE_API_BASE_URL=… GRAPH_BASE_URL=… MDE_TENANT_ID=… MDE_CLIENT_ID=…
  export MDE_CLIENT_SECRET=… NODE_EXTRA_CA_CERTS=<certificate path>
Runs until SIGINT or SIGTERM, then prints the call counters on stderr.

  --rate-limits   Defender's windows, e.g. 20/1s,100/10s (default 100/60s,1500/3600s)
  --variant       current: organizationPrevalence, 200 for unseen IPs (default);
                  legacy: orgPrevalence string, 404 for unseen IPs
  --latency-ms    delay before every Defender answer
  --error-rate    share (0–1) of Defender calls answered 500
  --tls-dir       keep the certificate in DIR (reused on the next run, so NODE_EXTRA_CA_CERTS stays valid)
  --write-env     also write the export lines to FILE (for \`source FILE\`)`;

/** Single-quoted for POSIX shells. */
const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

export const command: Command = {
  name: 'emulate',
  summary: 'run the Entra ID and Defender emulators; prints the environment for them',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        'entra-port': { type: 'string' },
        'defender-port': { type: 'string' },
        'rate-limits': { type: 'string' },
        variant: { type: 'string' },
        'latency-ms': { type: 'string' },
        'error-rate': { type: 'string' },
        'tls-dir': { type: 'string' },
        // Not --env-file: Node reads that flag from anywhere on its command line, even after the
        // script name, and exits 9 when the file does not exist yet (nodejs/node#54232).
        'write-env': { type: 'string' },
      },
    });
    const entraPort = integerOption('entra-port', values['entra-port'], 0, 65_535);
    const defenderPort = integerOption('defender-port', values['defender-port'], 0, 65_535);
    const latencyMs = integerOption('latency-ms', values['latency-ms'], 0, 600_000);
    const variant = values.variant ?? 'current';
    if (variant !== 'current' && variant !== 'legacy') throw new IpenrichError('USAGE', '--variant must be current or legacy');
    const errorRate = values['error-rate'] === undefined ? 0 : Number(values['error-rate']);
    if (!(errorRate >= 0 && errorRate <= 1)) throw new IpenrichError('USAGE', '--error-rate must be a number from 0 to 1');

    let tls;
    const tlsDir = values['tls-dir'];
    if (tlsDir !== undefined) {
      mkdirSync(tlsDir, { recursive: true });
      tls = existsSync(join(tlsDir, 'cert.pem')) ? await emulatorTls(tlsDir) : await generateTls(tlsDir);
    } else {
      tls = await emulatorTls(emulatorTlsDir(io.env));
    }

    let emulators;
    try {
      emulators = await startEmulators({
        entra: { tls, ...(entraPort === undefined ? {} : { port: entraPort }) },
        defender: {
          tls,
          ...(defenderPort === undefined ? {} : { port: defenderPort }),
          ...(values['rate-limits'] === undefined ? {} : { rateLimits: values['rate-limits'] }),
          mode: { variant, serverErrorRate: errorRate, ...(latencyMs === undefined ? {} : { latencyMs }) },
        },
        graph: { tls },
      });
    } catch (error) {
      throw new IpenrichError('USAGE', `cannot start the emulators: ${(error as Error).message}`, { cause: error });
    }

    const lines = Object.entries(emulators.env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    // The file first: whoever waits for the printed lines finds it written.
    if (values['write-env'] !== undefined) writeFileSync(values['write-env'], `${lines.join('\n')}\n`, { mode: 0o600 });
    io.stdout.write(`${lines.join('\n')}\n`);
    io.stderr.write(
      `Entra ID emulator ${emulators.entra.url}, Graph hunting emulator ${emulators.graph.url}, Defender emulator ${emulators.defender.url} (limits ${values['rate-limits'] ?? '100/60s,1500/3600s'}, ${variant} variant). Ctrl-C stops.\n`,
    );

    const signal = await untilStopSignal();
    const { defender, entra, graph } = emulators;
    await emulators.close();
    io.stderr.write(
      `Stopped on ${signal}: Defender ${defender.counters.totalCalls} calls (${defender.counters.throttled} throttled, ${defender.counters.unauthorized} unauthorized); Graph ${graph.counters.totalCalls} hunting queries; Entra ID ${entra.counters.tokenRequests} token requests.\n`,
    );
    return 0;
  },
};
