/**
 * Benchmark `ingress`: requests per second and latency of POST /v1/enrich (the synchronous playbook
 * call) for alerts whose IPs are all cached, against a bare fastify route on the same machine in the
 * same run. Both servers run in their own process (the ingress as `ipenrich serve --worker`), and
 * autocannon sends the same shape of body to each: every ingress request is a new alert (a new job
 * through Redis, the worker, the cache and QueueEvents), never a duplicate answered from a finished job.
 *
 *   npm run bench -- ingress [--smoke] [--write]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { generateApiKey, hashApiKey } from '../../src/ingress/api-keys.js';
import { startLocalRedis, type LocalRedis } from '../../src/redis/local-server.js';
import { startEmulators } from '../../src/emulators/emulators.js';
import type { BenchOptions, Benchmark } from '../run.js';

interface Params {
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly workerConcurrency: number;
  /** Cached IPs the alerts draw from (two per alert). */
  readonly ips: number;
}

const FULL: Params = { connections: 8, warmupSeconds: 3, durationSeconds: 20, workerConcurrency: 8, ips: 50 };
const SMOKE: Params = { connections: 8, warmupSeconds: 1, durationSeconds: 3, workerConcurrency: 8, ips: 10 };

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point in its own process and waits for the line that gives its URL. */
function startProcess(args: readonly string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = pattern.exec(output)?.[1];
      if (url === undefined) return;
      child.stdout?.off('data', onData);
      resolve({
        url,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output.slice(-2_000)}`)));
  });
}

function alertBody(run: string, n: number, ips: readonly string[]): string {
  const a = ips[n % ips.length] ?? '';
  const b = ips[(n * 7 + 3) % ips.length] ?? '';
  return JSON.stringify({ '@timestamp': '2026-11-26T10:00:00Z', event: { id: `bench-${run}-${n}`, kind: 'alert', severity: 47 }, source: { ip: a }, destination: { ip: b }, rule: { name: 'bench' } });
}

/** `run` names the alerts: a new one per request, or the same one every time when `repeat`. */
async function load(url: string, headers: Record<string, string>, params: Params, seconds: number, run: string, ips: readonly string[], repeat = false): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url,
    method: 'POST',
    connections: params.connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: alertBody(run, repeat ? 1 : (n += 1), ips) }),
      },
    ],
  });
}

const fixed = (value: number, digits = 1): string => value.toFixed(digits);

export const run: Benchmark = async (options: BenchOptions): Promise<string> => {
  const params = options.smoke ? SMOKE : FULL;
  const load1 = loadavg()[0] ?? 0;
  let redis: LocalRedis | undefined;
  const redisUrl = process.env.REDIS_URL ?? (redis = await startLocalRedis()).url;
  const emulators = await startEmulators();
  const ips = Array.from({ length: params.ips }, (_, i) => `198.51.100.${i + 1}`);
  const key = generateApiKey();
  try {
    const bare = await startProcess(['bench/ingress/bare-server.ts'], {}, /listening (\S+)/);
    let bareResult: autocannon.Result;
    try {
      await load(`${bare.url}/bare`, {}, params, params.warmupSeconds, 'warm-bare', ips);
      bareResult = await load(`${bare.url}/bare`, {}, params, params.durationSeconds, 'bare', ips);
    } finally {
      await bare.stop();
    }

    const ingress = await startProcess(
      ['src/bin.ts', 'serve', '--worker'],
      {
        ...emulators.env,
        REDIS_URL: redisUrl,
        IPENRICH_PREFIX: `bench-ingress-${Date.now()}`,
        INGRESS_HOST: '127.0.0.1',
        INGRESS_PORT: '0',
        INGRESS_API_KEYS: hashApiKey(key),
        INGRESS_RATE_PER_MINUTE: '1000000',
        INGRESS_MAX_BATCH: String(params.ips),
        WORKER_CONCURRENCY: String(params.workerConcurrency),
        LOG_LEVEL: 'warn',
      },
      /listening on (\S+)/,
    );
    let ingressResult: autocannon.Result;
    let repeatResult: autocannon.Result;
    let callsDuringRun: number;
    try {
      const auth = { authorization: `Bearer ${key}` };
      const warm = await fetch(`${ingress.url}/v1/lookup`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ ips }) });
      if (warm.status !== 200) throw new Error(`warming the cache: HTTP ${warm.status} ${await warm.text()}`);
      await load(`${ingress.url}/v1/enrich`, auth, params, params.warmupSeconds, 'warm', ips);
      const callsBefore = emulators.defender.counters.totalCalls;
      ingressResult = await load(`${ingress.url}/v1/enrich`, auth, params, params.durationSeconds, 'run', ips);
      // The same alert every time: answered from its finished job, without the worker.
      repeatResult = await load(`${ingress.url}/v1/enrich`, auth, params, params.durationSeconds, 'run', ips, true);
      callsDuringRun = emulators.defender.counters.totalCalls - callsBefore;
    } finally {
      await ingress.stop();
    }

    const rows: [string, autocannon.Result][] = [
      ['`POST /v1/enrich`, new alerts, IPs cached (ipenrich)', ingressResult],
      ['bare fastify route (baseline)', bareResult],
      ['`POST /v1/enrich`, an alert already enriched (for scale)', repeatResult],
    ];
    const table = rows
      .map(([name, r]) => `| ${name} | ${fixed(r.requests.average, 0)} | ${r.latency.p50} | ${r.latency.p99} | ${r['2xx']} | ${r.non2xx + r.errors} |`)
      .join('\n');
    const ratio = ingressResult.requests.average / bareResult.requests.average;
    return `## Ingress (\`ingress\`)

Command: \`npm run bench -- ingress${options.smoke ? ' --smoke' : ' --write'}\`. Node ${process.version}, ${availableParallelism()} cores, load average
${fixed(load1)} at the start. autocannon, ${params.connections} connections, ${params.durationSeconds} s per target after ${params.warmupSeconds} s of warm-up, both
servers in their own process on this machine. ipenrich runs as \`ipenrich serve --worker\` (WORKER_CONCURRENCY=${params.workerConcurrency}, one
redis-server, Defender emulator); every request is a new alert with two of ${params.ips} IPs warmed into the cache
beforehand, so each one is a new job: authenticated, rate-limited, persisted, processed by the worker
from the cache, and answered through QueueEvents. The baseline parses the same body and answers 200.

| target | requests/s | p50 ms | p99 ms | 2xx | errors + non-2xx |
|---|---:|---:|---:|---:|---:|
${table}

Ratio: ipenrich answers **${fixed(ratio, 3)}×** the requests per second of the bare route. A new alert is a
job: Redis round trips on the ingress's side (rate limit, the tenant's pending alerts, the alert's revision,
the job, the event stream) and on the worker's (the fetch, the cache unless the worker's copy of it answers,
the result kept with the completion), and the pipeline, on the same two cores as redis-server and autocannon. The last
row, measured right after, answers the same alert again from its finished job (authentication, rate
limit, four round trips, no worker): ${fixed(repeatResult.requests.average / bareResult.requests.average, 3)}× the bare route.
Defender calls during the measured runs: ${callsDuringRun} (every IP came from the cache).
`;
  } finally {
    await emulators.close();
    await redis?.stop();
  }
};
