import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/load.js';
import { createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import type { EnqueuedJob } from '../../../src/queue/producer.js';
import { acceptAlerts } from '../../../src/pipeline/intake.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace, type KeySpace } from '../../../src/redis/keys.js';
import { startLocalRedis, type LocalRedis } from '../../../src/redis/local-server.js';
import type { DefenderMode } from '../../../src/emulators/defender.js';
import { verifyEmulatorToken } from '../../../src/emulators/emulator-token.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import type { EntraMode } from '../../../src/emulators/entra.js';
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from '../../../src/emulators/logs-ingestion.js';
import { startHecEmulator, type HecEmulator } from '../../../src/emulators/splunk-hec.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { waitFor } from '../../support/cli-process.js';
import { generateKnownSecrets, secretsEnv, type KnownSecrets } from './known-secrets.js';
import { findSecrets, redisTexts, type ScannedText, type SecretFinding } from './secret-scan.js';
import { WorkerFleet } from './worker-fleet.js';

export interface SecretScan {
  readonly findings: SecretFinding[];
  readonly texts: number;
  readonly logLines: number;
  /** Lines at debug level: the scan read the workers at their most verbose. */
  readonly debugLines: number;
  readonly bytes: number;
}

/** Scenario 6, in every scenario: the workers spoke at debug level, and no secret is anywhere. */
export function expectNoSecretLeak(scan: SecretScan): void {
  expect(scan.debugLines).toBeGreaterThan(0);
  expect(scan.findings).toEqual([]);
}

type SinkChoice = 'webhook' | 'splunk' | 'sentinel';

export interface HarnessOptions {
  readonly label: string;
  readonly sinks: readonly SinkChoice[];
  /** MDE_RATE_LIMITS of the workers. */
  readonly rateLimits: string;
  /** What the Defender emulator enforces (sliding windows); default: the same as `rateLimits`. */
  readonly emulatorRateLimits?: string;
  readonly defenderMode?: Partial<DefenderMode>;
  readonly entraMode?: Partial<EntraMode>;
  /** Redis with append-only persistence, for a restart that must keep the queue. */
  readonly appendOnly?: boolean;
  /** More worker settings (scaled times). */
  readonly env?: Readonly<Record<string, string>>;
}

const DCR_ID = 'dcr-0123456789abcdef0123456789abcdef';
const STREAM = 'Custom-IpEnrichment_CL';

/** Worker settings every scenario shares: short locks and backoffs, so a minute of trouble takes seconds. */
const SCALED_TIME: Readonly<Record<string, string>> = {
  WORKER_CONCURRENCY: '8',
  WORKER_LOCK_MS: '2000',
  WORKER_SHUTDOWN_TIMEOUT_MS: '3000',
  JOB_ATTEMPTS: '10',
  JOB_BACKOFF_MS: '200',
  SINK_RETRY_BASE_MS: '200',
  SINK_RETRY_MAX_DELAY_MS: '1000',
  MDE_RATE_SAFETY_MS: '50',
  // A killed worker's coalescing locks block their IPs this long (it must outlast the client's timeout).
  MDE_TIMEOUT_MS: '2000',
  COALESCE_LOCK_MS: '3000',
  // The secrets scan reads everything the workers say at their most verbose.
  LOG_LEVEL: 'debug',
};

/**
 * One scenario's world: its own redis-server (so it can be restarted), the Microsoft emulators, the
 * chosen sinks' emulators, the known secrets, and a fleet of real `ipenrich worker` processes.
 */
export class ScenarioHarness {
  readonly secrets: KnownSecrets;
  readonly env: NodeJS.ProcessEnv;
  readonly config: Config;
  readonly keys: KeySpace;
  readonly fleet: WorkerFleet;
  readonly redis: Redis;
  readonly queue: AlertsQueue;
  readonly emulators: Emulators;
  readonly receiver: WebhookReceiver;
  readonly hec: HecEmulator;
  readonly logs: LogsIngestionEmulator;
  #redisServer: LocalRedis;
  readonly #redisDir: string;
  readonly #startedAt = Date.now();

  private constructor(parts: {
    secrets: KnownSecrets;
    env: NodeJS.ProcessEnv;
    redisServer: LocalRedis;
    redisDir: string;
    emulators: Emulators;
    receiver: WebhookReceiver;
    hec: HecEmulator;
    logs: LogsIngestionEmulator;
  }) {
    this.secrets = parts.secrets;
    this.env = parts.env;
    this.#redisServer = parts.redisServer;
    this.#redisDir = parts.redisDir;
    this.emulators = parts.emulators;
    this.receiver = parts.receiver;
    this.hec = parts.hec;
    this.logs = parts.logs;
    this.config = loadConfig(parts.env);
    this.keys = keySpace(this.config.IPENRICH_PREFIX);
    this.fleet = new WorkerFleet(parts.env);
    this.redis = createRedis(this.config.REDIS_URL);
    this.redis.on('error', () => undefined); // the Redis restart scenario stops it on purpose
    this.queue = createAlertsQueue(this.redis, this.keys);
    this.queue.on('error', () => undefined);
  }

  static async start(options: HarnessOptions): Promise<ScenarioHarness> {
    const secrets = generateKnownSecrets();
    const redisDir = mkdtempSync(join(tmpdir(), `ipenrich-rel-${options.label}-`));
    const redisServer = await startLocalRedis({ dir: redisDir, appendOnly: options.appendOnly ?? false });
    const emulators = await startEmulators({
      entra: { clientSecret: secrets.clientSecret },
      defender: { rateLimits: options.emulatorRateLimits ?? options.rateLimits, ...(options.defenderMode ? { mode: options.defenderMode } : {}) },
    });
    if (options.entraMode) emulators.entra.setMode(options.entraMode);
    const key = emulators.entra.tokenSigningKey;
    const receiver = await startWebhookReceiver({ secret: secrets.webhookSecret });
    const hec = await startHecEmulator({ token: secrets.hecToken });
    const logs = await startLogsIngestionEmulator({
      token: (bearer) => verifyEmulatorToken(bearer, key, { audiences: ['https://monitor.azure.com'] }).ok,
      rules: { [DCR_ID]: [STREAM] },
    });
    const env: NodeJS.ProcessEnv = {
      ...emulators.env,
      ...secretsEnv(secrets),
      ...SCALED_TIME,
      IPENRICH_CONFIG: undefined,
      REDIS_URL: redisServer.url,
      IPENRICH_PREFIX: `rel-${options.label}-${randomBytes(3).toString('hex')}`,
      MDE_RATE_LIMITS: options.rateLimits,
      SINKS: options.sinks.join(','),
      WEBHOOK_URL: `${receiver.url}/alerts`,
      SPLUNK_HEC_URL: hec.url,
      SENTINEL_INGESTION_ENDPOINT: logs.url,
      SENTINEL_DCR_ID: DCR_ID,
      SENTINEL_STREAM: STREAM,
      ...options.env,
    };
    return new ScenarioHarness({ secrets, env, redisServer, redisDir, emulators, receiver, hec, logs });
  }

  get redisServer(): LocalRedis {
    return this.#redisServer;
  }

  /** Seconds since the harness started. */
  elapsedSeconds(): number {
    return (Date.now() - this.#startedAt) / 1000;
  }

  enqueue(alerts: readonly unknown[]): Promise<EnqueuedJob[]> {
    return acceptAlerts(this.queue, alerts.map((alert) => ({ alert })), {
      defaultTenant: this.config.IPENRICH_DEFAULT_TENANT,
      attempts: this.config.JOB_ATTEMPTS,
      backoffMs: this.config.JOB_BACKOFF_MS,
    });
  }

  /** Stops redis-server (SIGTERM: it writes its append-only file and exits), keeping its directory. */
  async stopRedis(): Promise<void> {
    await this.#redisServer.stop({ keepDir: true });
  }

  /** Starts redis-server again on the same port and directory, so every client reconnects to the same data. */
  async startRedisAgain(): Promise<void> {
    this.#redisServer = await startLocalRedis({ dir: this.#redisDir, port: this.#redisServer.port, appendOnly: true });
  }

  /** Waits until completed + failed reaches `total`; the message says where the jobs are. */
  async waitUntilSettled(total: number, timeoutMs: number): Promise<void> {
    let counts: Record<string, number> = {};
    await waitFor(
      () => `${total} jobs completed or failed (queue: ${JSON.stringify(counts)})`,
      async () => {
        counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
        return (counts.completed ?? 0) + (counts.failed ?? 0) >= total;
      },
      timeoutMs,
      250,
    );
  }

  /** Alert ids delivered to the webhook, with how many distinct webhook-ids carried each. */
  webhookAlertIds(): Map<string, number> {
    const ids = new Map<string, number>();
    for (const delivery of this.receiver.deliveries.values()) {
      const alertId = ((delivery.payload as { data?: { alertId?: string } }).data?.alertId) ?? '(none)';
      ids.set(alertId, (ids.get(alertId) ?? 0) + 1);
    }
    return ids;
  }

  /**
   * Searches for the known secrets (and any bearer token) everywhere they must never be: every
   * worker's output, every value in Redis (job errors, stack traces, results, delivery state, sink
   * health), and everything the sinks received.
   */
  async scanForSecrets(): Promise<SecretScan> {
    const texts: ScannedText[] = [
      ...this.fleet.outputs(),
      ...(await redisTexts(this.redis)),
      ...[...this.receiver.attempts].map((attempt, i) => ({ source: `webhook request ${i}`, text: attempt.body })),
      { source: 'splunk events', text: this.hec.events.map((event) => JSON.stringify(event)).join('\n') },
      { source: 'sentinel rows', text: this.logs.rows.map((row) => JSON.stringify(row)).join('\n') },
    ];
    const lines = this.fleet.logLines();
    return {
      findings: findSecrets(texts, this.secrets),
      texts: texts.length,
      logLines: lines.length,
      debugLines: lines.filter((line) => line.level === 'debug').length,
      bytes: texts.reduce((sum, text) => sum + text.text.length, 0),
    };
  }

  async close(): Promise<void> {
    await this.fleet.stopAll();
    await Promise.all([this.receiver.close(), this.hec.close(), this.logs.close(), this.emulators.close()]);
    await this.queue.close().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
    await this.#redisServer.stop({ keepDir: true });
    rmSync(this.#redisDir, { recursive: true, force: true });
  }
}
