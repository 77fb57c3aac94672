import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/load.js';
import type { Enricher } from '../enrich/enricher.js';
import type { Logger } from '../log.js';
import type { AlertRevisions } from '../pipeline/ports.js';
import type { IngressMetrics } from '../metrics/ingress-metrics.js';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { CallbackCheck } from './callback-check.js';
import type { Caller } from './caller.js';
import type { IngressAuth } from './ingress-auth.js';
import type { IngressRateLimit } from './rate-limit.js';
import type { RedisGuard } from './redis-guard.js';
import type { ReplayGuard } from './replay-guard.js';
import type { VerifiedSignature } from './signing-secrets.js';
import type { JobRecords } from './job-view.js';
import type { JobWaiter } from './wait-for-job.js';

/** Everything the HTTP layer uses; built by `openIngress` (or by tests), closed by its owner. */
export interface IngressDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly auth: IngressAuth;
  /** Every Redis step of a request goes through it: 503 instead of a hang or a false 202. */
  readonly guard: RedisGuard;
  readonly rateLimit: IngressRateLimit;
  /** Signed requests' message ids, each accepted once. */
  readonly replay: ReplayGuard;
  readonly queue: AlertsQueue;
  readonly jobs: JobWaiter;
  /** Finished jobs' results, read from their records. */
  readonly results: JobRecords;
  /** The same enricher (cache, coalescing, shared budget) the workers use, for POST /v1/lookup. */
  readonly enricher: Enricher;
  readonly metrics: IngressMetrics;
  readonly checkCallback: CallbackCheck;
  /** The latest revision of each alert identity, so a new revision says which one it replaces. */
  readonly revisions: AlertRevisions;
  /** Redis reachable and the queue usable, for GET /readyz. Rejects with the reason otherwise. */
  readonly ready: () => Promise<void>;
  readonly now: () => number;
}

/** Who may call a route: anyone (probes, the OpenAPI document), any authenticated caller, or operators only. */
export type RouteAccess = 'public' | 'caller' | 'operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Default `caller`. */
    access?: RouteAccess;
    /** The API key may come as `?token=` (when INGRESS_ALLOW_QUERY_TOKEN=true). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    /** Set once the request is authenticated. */
    caller: Caller | null;
    /** The body exactly as received, for Standard Webhooks signature checks. */
    rawBody: string | null;
    /** A signed request's signature once checked (false: it did not verify); null before. */
    signature: VerifiedSignature | false | null;
  }
}

export type IngressApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, ZodTypeProvider>;
