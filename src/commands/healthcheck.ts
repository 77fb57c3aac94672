import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/load.js';
import { createRedis } from '../redis/connection.js';
import { scrubSecrets } from '../secrets.js';
import type { Command } from './command.js';

const usage = `Usage: ipenrich healthcheck [--http | --url URL | --redis]

Checks this container's process and exits 0 when healthy, 1 when not (with one line on stderr).
Docker's HEALTHCHECK and Kubernetes exec probes run it; it answers within 3 s.

  --http      GET /healthz of the ingress on this host (INGRESS_PORT): the \`serve\` container
  --url URL   GET this URL instead; healthy on a 2xx answer
  --redis     PING Redis (REDIS_URL): the \`worker\` container, which serves no HTTP
  (none)      follow the container's own command: --http for \`serve\`, --redis for anything else`;

/** Docker's default HEALTHCHECK timeout is 30 s and ours 5 s; stay well inside both. */
const PROBE_TIMEOUT_MS = 2_500;

type Probe = { readonly kind: 'http'; readonly url: string } | { readonly kind: 'redis'; readonly url: string };

/**
 * The ipenrich command a container runs and its arguments, from its PID 1 command line
 * (`node dist/src/bin.js serve --port 9000`, or behind an init such as `tini -- node …`);
 * undefined when PID 1 is not ipenrich.
 */
export function containerCommand(cmdline: readonly string[]): { name: string; args: string[] } | undefined {
  const script = cmdline.findIndex((arg) => /(^|\/)(bin\.js|ipenrich)$/.test(arg));
  const name = script === -1 ? undefined : cmdline[script + 1];
  return name === undefined ? undefined : { name, args: cmdline.slice(script + 2) };
}

function readContainerCommandLine(): string[] {
  try {
    return readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter((arg) => arg.length > 0);
  } catch {
    return []; // not Linux, or /proc hidden: fall back to the Redis check every process needs
  }
}

/** Where the ingress of this host answers: its own bind address, or loopback when it binds all. */
export function ingressHealthUrl(config: Pick<Config, 'INGRESS_HOST' | 'INGRESS_PORT'>): string {
  if (config.INGRESS_PORT === 0) throw new Error('INGRESS_PORT is 0 (a random port): pass --url');
  const host = ['0.0.0.0', '::', 'localhost'].includes(config.INGRESS_HOST) ? '127.0.0.1' : config.INGRESS_HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.INGRESS_PORT}/healthz`;
}

/** Host and port only: the URL may carry a password. */
function redisTarget(url: string): string {
  try {
    const parsed = new URL(url.replace(/^rediss?\+cluster:/, 'redis:'));
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkHttp(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `did not answer within ${PROBE_TIMEOUT_MS} ms` : describeFetchError(error);
    throw new Error(`${url} ${reason}`, { cause: error });
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return `${url} answered ${response.status}`;
}

/** fetch() reports "fetch failed" and hides the reason (ECONNREFUSED…) in `cause`. */
function describeFetchError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  return `unreachable (${cause?.code ?? cause?.message ?? String(error)})`;
}

async function checkRedis(url: string): Promise<string> {
  const target = `Redis at ${redisTarget(url)}`;
  // One attempt, no reconnects, no offline queue: a health check reports, it does not wait.
  const redis = createRedis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    const reply = await withTimeout(redis.ping(), target);
    return `${target} answered ${reply}`;
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith(target) ? message : `${target} is unreachable (${message})`, { cause: error });
  } finally {
    redis.disconnect();
    // A server that took the connection and never answers never ends it either: without this, the
    // half-closed socket kept the process ~2.5 s past its verdict, beyond a 5-s probe timeout.
    if ('stream' in redis) redis.stream.destroy();
  }
}

function chooseProbe(args: string[], config: () => Config): Probe {
  const { values } = parseArgs({
    args,
    options: { http: { type: 'boolean' }, url: { type: 'string' }, redis: { type: 'boolean' } },
  });
  const chosen = [values.http, values.url !== undefined, values.redis].filter(Boolean).length;
  if (chosen > 1) throw new Error('choose one of --http, --url and --redis');
  if (values.url !== undefined) {
    if (!/^https?:\/\//.test(values.url)) throw new Error('--url must be an http:// or https:// URL');
    return { kind: 'http', url: values.url };
  }
  if (values.redis) return { kind: 'redis', url: config().REDIS_URL };
  if (values.http) return { kind: 'http', url: ingressHealthUrl(config()) };
  const running = containerCommand(readContainerCommandLine());
  if (running?.name !== 'serve') return { kind: 'redis', url: config().REDIS_URL };
  // `serve --host/--port` override the configuration; the check must follow them.
  const { values: flags } = parseArgs({ args: running.args, options: { host: { type: 'string' }, port: { type: 'string' } }, strict: false });
  const { INGRESS_HOST, INGRESS_PORT } = config();
  return {
    kind: 'http',
    url: ingressHealthUrl({
      INGRESS_HOST: typeof flags.host === 'string' ? flags.host : INGRESS_HOST,
      INGRESS_PORT: typeof flags.port === 'string' ? Number(flags.port) : INGRESS_PORT,
    }),
  };
}

export const command: Command = {
  name: 'healthcheck',
  summary: 'exit 0 when this container is healthy (ingress /healthz, or Redis for a worker)',
  usage,
  async run(args, io) {
    try {
      let config: Config | undefined;
      const probe = chooseProbe(args, () => (config ??= loadConfig(io.env)));
      const detail = probe.kind === 'http' ? await checkHttp(probe.url) : await checkRedis(probe.url);
      io.stdout.write(`healthy: ${detail}\n`);
      return 0;
    } catch (thrown) {
      // Exit 1 for every failure, a bad configuration included: Docker reserves exit code 2.
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      io.stderr.write(`ipenrich healthcheck: unhealthy: ${scrubSecrets(message).replace(/\s+/g, ' ')}\n`);
      return 1;
    }
  },
};
