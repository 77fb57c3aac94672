/**
 * Child process of the `hunting` benchmark: one tenant's scaled hour through the production
 * composition (NODE_EXTRA_CA_CERTS must name the emulators' certificate, read by Node at start).
 * Argument: the plan as JSON; prints `{"event":"done", answered}`.
 */
import { loadConfig } from '../../src/config/load.js';
import { buildSharedParts } from '../../src/composition/shared-parts.js';
import type { IpEnrichment } from '../../src/enrich/enricher.js';
import { createLogger } from '../../src/log.js';
import { createRedis } from '../../src/redis/connection.js';
import { tell } from '../../test/integration/budget/support/child-process.js';

export interface HourPlan {
  readonly hourMs: number;
  readonly budgetWaitMs: number;
  /** Alert arrivals: offset in the hour (ms) and how many new IPs. */
  readonly arrivals: readonly { readonly at: number; readonly size: number }[];
}

/** Distinct IPs from a counter: never repeated within a run, so every one is new. */
const ipAt = (n: number): string => `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

async function main(plan: HourPlan): Promise<void> {
  const config = loadConfig(process.env);
  const redis = createRedis(config.REDIS_URL);
  const parts = buildSharedParts(config, { logger: createLogger({ level: 'silent' }), redis });
  const tenant = config.IPENRICH_DEFAULT_TENANT;
  const answered: Record<string, string> = {};
  const failures: Record<string, number> = {};
  const end = Date.now() + plan.hourMs;
  const running = new Set<Promise<void>>();
  let next = 0;

  const enrich = (ips: readonly string[]): void => {
    if (Date.now() >= end || ips.length === 0) return;
    const run = parts.enricher.enrich(tenant, ips, { lookBackHours: 720, deadline: Date.now() + plan.budgetWaitMs }).then((results: IpEnrichment[]) => {
      const deferred: string[] = [];
      let retryAt = 0;
      for (const result of results) {
        if ((result.status === 'enriched' || result.status === 'not_seen') && !result.cached && Date.now() < end) answered[result.ip] = result.record?.source ?? 'ipstats';
        else if (result.status === 'deferred') {
          deferred.push(result.ip);
          retryAt = Math.max(retryAt, result.retryAt ?? 0);
        } else if (result.status === 'error') failures[result.error?.code ?? 'unknown'] = (failures[result.error?.code ?? 'unknown'] ?? 0) + 1;
      }
      // The worker's delayed job: the deferred IPs come back together at their time.
      if (deferred.length > 0 && retryAt < end) setTimeout(() => enrich(deferred), Math.max(0, retryAt - Date.now())).unref();
    });
    running.add(run);
    void run.finally(() => running.delete(run));
  };

  const timers = plan.arrivals.map(({ at, size }) => setTimeout(() => enrich(Array.from({ length: size }, () => ipAt((next += 1)))), at));
  await new Promise((resolve) => setTimeout(resolve, plan.hourMs));
  for (const timer of timers) clearTimeout(timer);
  await Promise.allSettled([...running]);
  await parts.close();
  await redis.quit();
  tell('done', { answered, failures, offered: next });
}

main(JSON.parse(process.argv[2] ?? '{}') as HourPlan).catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exitCode = 1;
});
