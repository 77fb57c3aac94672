import type { Config } from '../config/load.js';
import type { CallbackCheck } from '../ingress/callback-check.js';
import { openIngress, type OpenedIngress } from '../ingress/open-ingress.js';
import type { Logger } from '../log.js';
import { createRedis } from '../redis/connection.js';
import type { StartedWorker } from './start-worker.js';
import { buildSharedParts } from './shared-parts.js';

export interface ServeOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** `serve --worker`: the ingress answers /v1/lookup through the worker's enricher. */
  readonly worker?: StartedWorker;
  /** Tests: callback URL policy without DNS. */
  readonly checkCallback?: CallbackCheck;
  readonly now?: () => number;
}

/**
 * The ingress with its enricher: the in-process worker's, or one of its own on a connection that
 * waits out Redis outages (the enricher subscribes to coalescing news), closed with the ingress.
 */
export function openServe(options: ServeOptions): OpenedIngress {
  const { config, logger, worker } = options;
  const common = {
    config,
    logger,
    ...(options.checkCallback ? { checkCallback: options.checkCallback } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  if (worker) return openIngress({ ...common, enricher: worker.parts.enricher });
  const enrichRedis = createRedis(config.REDIS_URL);
  enrichRedis.on('error', () => undefined); // the ingress' connection watch reports Redis state changes
  const parts = buildSharedParts(config, { logger, redis: enrichRedis });
  let ingress: OpenedIngress;
  try {
    ingress = openIngress({ ...common, enricher: parts.enricher });
  } catch (error) {
    // A configuration refusal (no keys, insecure off loopback): leave nothing open behind it.
    enrichRedis.disconnect();
    void parts.close();
    throw error;
  }
  return {
    ...ingress,
    async close(timeoutMs) {
      await ingress.close(timeoutMs);
      await parts.close();
      await enrichRedis.quit().catch(() => enrichRedis.disconnect());
    },
  };
}
