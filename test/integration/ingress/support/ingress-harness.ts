import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import { loadConfig, type Config } from '../../../../src/config/load.js';
import { generateApiKey, hashApiKey } from '../../../../src/ingress/api-keys.js';
import { buildIngressApp } from '../../../../src/ingress/app.js';
import type { IngressApp } from '../../../../src/ingress/ingress-deps.js';
import type { OpenedIngress } from '../../../../src/ingress/open-ingress.js';
import { writeEmulatorTenantsFile } from '../../../../src/emulators/tenants-file.js';
import { openServe } from '../../../../src/composition/open-serve.js';
import { createLogger } from '../../../../src/log.js';
import { openRuntime, type Runtime } from '../../../../src/composition/runtime.js';
import { startWorker, type StartedWorker } from '../../../../src/composition/start-worker.js';
import { testRedisUrl, uniquePrefix } from '../../../support/redis.js';

/** One operator key and one key per bound tenant, generated per harness (no key lives in a fixture). */
interface HarnessKeys {
  readonly operator: string;
  readonly contoso: string;
  readonly fabrikam: string;
}

export interface HarnessOptions {
  /** Settings on top of the harness defaults (emulator env, a unique prefix, the keys, a loopback host). */
  readonly env?: Readonly<Record<string, string>>;
  /** Also start an in-process worker (as `serve --worker`). */
  readonly worker?: boolean;
  readonly redisUrl?: string;
  /** Reuse another harness' keys (two replicas of one deployment). */
  readonly keys?: HarnessKeys;
  /** Keep the log lines at this level and above (`logLines`); silent otherwise. */
  readonly logLevel?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

export interface IngressHarness {
  readonly url: string;
  readonly app: IngressApp;
  readonly config: Config;
  readonly ingress: OpenedIngress;
  readonly keys: HarnessKeys;
  /** Starts the worker later (for tests that need the queue to wait first). */
  startWorker(): Promise<void>;
  /** Log lines written so far, parsed (only with `logLevel`). */
  logLines(): Record<string, unknown>[];
  http(method: string, path: string, options?: { body?: unknown; rawBody?: string; headers?: Record<string, string>; key?: string | null }): Promise<HttpAnswer>;
  close(): Promise<void>;
}


/**
 * The ingress as `ipenrich serve` runs it — real sockets, real Redis, optionally the real worker —
 * with tenants `default`, `contoso` and `fabrikam`.
 */
export async function startIngressHarness(options: HarnessOptions = {}): Promise<IngressHarness> {
  const keys: HarnessKeys = options.keys ?? { operator: generateApiKey(), contoso: generateApiKey(), fabrikam: generateApiKey() };
  const config = loadConfig({
    REDIS_URL: options.redisUrl ?? testRedisUrl(),
    IPENRICH_PREFIX: uniquePrefix('ingress'),
    INGRESS_HOST: '127.0.0.1',
    INGRESS_PORT: '0',
    INGRESS_API_KEYS: [hashApiKey(keys.operator), `${hashApiKey(keys.contoso)}@contoso`, `${hashApiKey(keys.fabrikam)}@fabrikam`].join(','),
    LOG_LEVEL: 'silent',
    IPENRICH_CONFIG: writeEmulatorTenantsFile(['contoso', 'fabrikam'], options.env ?? {}),
    ...options.env,
  });
  const logged: string[] = [];
  const logger = createLogger({ level: options.logLevel ?? 'silent', destination: { write: (line: string) => void logged.push(line) } });
  let runtime: Runtime | undefined;
  let worker: StartedWorker | undefined;

  async function launchWorker(): Promise<void> {
    runtime = await openRuntime({}, { config, logger, waitForRedis: true });
    worker = await startWorker(runtime);
  }
  if (options.worker) await launchWorker();

  const ingress = openServe({ config, logger, ...(worker ? { worker } : {}) });
  await ingress.connected();
  const app = await buildIngressApp(ingress.deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    app,
    config,
    ingress,
    keys,
    startWorker: launchWorker,
    logLines: () => logged.map((line) => JSON.parse(line) as Record<string, unknown>),
    async http(method, path, requestOptions = {}) {
      const key = requestOptions.key === undefined ? keys.operator : requestOptions.key;
      const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...requestOptions.headers };
      let body: string | undefined = requestOptions.rawBody;
      if (requestOptions.body !== undefined) {
        body = JSON.stringify(requestOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const answer = await undiciRequest(`${url}${path}`, { method: method as 'GET', headers, ...(body === undefined ? {} : { body }) });
      const text = await answer.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: answer.statusCode, headers: answer.headers, text, json };
    },
    async close() {
      await app.close();
      await worker?.close(5_000);
      await runtime?.queue.obliterate({ force: true }).catch(() => undefined);
      await runtime?.close();
      await ingress.close();
    },
  };
}
