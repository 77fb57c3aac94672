import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { EXIT_CODES, IpenrichError } from '../errors.js';
import { generateApiKey, hashApiKey } from '../ingress/api-keys.js';
import { buildIngressApp } from '../ingress/app.js';
import { createLogger } from '../log.js';
import { openRuntime, type Runtime } from '../composition/runtime.js';
import { openServe } from '../composition/open-serve.js';
import { startWorker, type StartedWorker } from '../composition/start-worker.js';
import { checkWorkerCredentials } from '../composition/worker-credentials.js';
import type { Command, CommandIo } from './command.js';
import { integerOption } from './integer-option.js';
import { stopSignalDuringStartup } from './stop-signal.js';

const usage = `Usage: ipenrich serve [--worker] [--host HOST] [--port PORT]
       ipenrich serve --new-key [--tenant NAME]

Runs the HTTP ingress for playbooks (Logic Apps, Splunk, any SOAR) until SIGTERM or SIGINT:
POST /v1/alerts, /v1/enrich, /v1/lookup; GET /v1/jobs/{id}, /healthz, /readyz, /metrics,
/openapi.json, /admin (queue dashboard). See docs/playbooks.md.

  --worker        also process the queue in this process (one-container deployments, the demo)
  --host, --port  override INGRESS_HOST and INGRESS_PORT
  --new-key       print a new random API key and the INGRESS_API_KEYS entry for it (its hash)
  --tenant NAME   with --new-key: bind the key to one tenant

Authentication is required: INGRESS_API_KEYS (or INGRESS_SIGNING_SECRETS). Without them the
ingress starts only with INGRESS_INSECURE_NO_AUTH=true on a loopback INGRESS_HOST.`;

function printNewKey(io: CommandIo, tenant: string | undefined): number {
  if (tenant !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(tenant)) throw new IpenrichError('USAGE', 'a tenant name holds 1-64 letters, digits, _ . -');
  const key = generateApiKey();
  const entry = `${hashApiKey(key)}${tenant === undefined ? '' : `@${tenant}`}`;
  io.stdout.write(`API key (give it to the caller; it is not stored anywhere): ${key}\nINGRESS_API_KEYS entry (add it, comma-separated): ${entry}\n`);
  return 0;
}

/** The operator's fix for an address the ingress cannot take; anything else as it was. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EADDRINUSE: 'the port is in use by another process',
    EACCES: 'this user may not listen on that port',
    EADDRNOTAVAIL: 'no interface of this machine has that address',
  };
  if (code === undefined || why[code] === undefined) return error;
  return new IpenrichError('CONFIG_INVALID', `cannot listen on ${host}:${port}: ${why[code]} (${code}); choose another INGRESS_HOST/INGRESS_PORT (--host/--port)`);
}

export const command: Command = {
  name: 'serve',
  summary: 'HTTP ingress for playbooks (optionally with an in-process worker)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        worker: { type: 'boolean', default: false },
        host: { type: 'string' },
        port: { type: 'string' },
        'new-key': { type: 'boolean', default: false },
        tenant: { type: 'string' },
      },
    });
    if (values['new-key']) return printNewKey(io, values.tenant);
    if (values.tenant !== undefined) throw new IpenrichError('USAGE', '--tenant goes with --new-key (it binds the new key to a tenant)');
    // Checked here, so the message names the flag rather than the setting it overrides.
    integerOption('port', values.port, 0, 65_535);

    const config = loadConfig({
      ...io.env,
      ...(values.host === undefined ? {} : { INGRESS_HOST: values.host }),
      ...(values.port === undefined ? {} : { INGRESS_PORT: values.port }),
    });
    if (values.worker) checkWorkerCredentials(config);
    const logger = createLogger({ level: config.LOG_LEVEL });

    const startup = stopSignalDuringStartup('serve', io.stderr);
    let runtime: Runtime | undefined;
    let worker: StartedWorker | undefined;
    if (values.worker) {
      runtime = await openRuntime(io.env, { config, logger, waitForRedis: true });
      startup.watch(runtime.redis);
      worker = await startWorker(runtime);
    }
    startup.started();
    const ingress = openServe({ config, logger, ...(worker ? { worker } : {}) });
    const app = await buildIngressApp(ingress.deps);
    try {
      const address = await app.listen({ host: config.INGRESS_HOST, port: config.INGRESS_PORT });
      logger.info({ address, worker: values.worker }, 'ingress listening');
      if (ingress.deps.auth.insecure) logger.warn('INGRESS_INSECURE_NO_AUTH: requests without credentials act as an operator (loopback only)');
      io.stdout.write(`ipenrich ingress listening on ${address}${values.worker ? ' (with a worker)' : ''}\n`);
      const signal = await startup.signal;
      logger.info({ signal }, 'shutting down: finishing requests in flight');
      // A second signal means "now", as for `ipenrich worker`.
      const again = (second: NodeJS.Signals): void => {
        logger.warn({ signal: second, exitCode: EXIT_CODES.shutdownForced, reason: 'second signal' }, 'ingress stopped');
        logger.flush(() => process.exit(EXIT_CODES.shutdownForced));
      };
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
    } catch (error) {
      // Could not listen (address in use, …): close what was opened, then report.
      await app.close();
      await worker?.close(config.WORKER_SHUTDOWN_TIMEOUT_MS);
      await ingress.close();
      await runtime?.close();
      throw listenError(error, config.INGRESS_HOST, config.INGRESS_PORT);
    }
    await app.close();
    const stop = await worker?.close(config.WORKER_SHUTDOWN_TIMEOUT_MS);
    const leftBehind = stop?.leftBehind ?? [];
    if (leftBehind.length > 0) {
      // Their calls are still in flight on these connections: leave, as the worker command does;
      // another worker takes the jobs over once their lock expires.
      logger.warn({ exitCode: EXIT_CODES.shutdownForced, reason: 'shutdown timeout', leftBehind: leftBehind.length, jobIds: leftBehind.slice(0, 100) }, 'ingress stopped');
      logger.flush(() => process.exit(EXIT_CODES.shutdownForced));
      return EXIT_CODES.shutdownForced;
    }
    await ingress.close();
    await runtime?.close();
    logger.info({ exitCode: EXIT_CODES.ok }, 'ingress stopped');
    // Always leave, as `ipenrich worker` does: a connection to a Redis that is down keeps reconnecting
    // and kept the process alive after this line (a pod stuck in Terminating until SIGKILL).
    logger.flush(() => process.exit(EXIT_CODES.ok));
    return EXIT_CODES.ok;
  },
};
