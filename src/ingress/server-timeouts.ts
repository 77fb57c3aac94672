import type { Config } from '../config/load.js';

/** How often Node looks for requests past their deadline; a deadline is honoured within this. */
const MAX_CHECK_INTERVAL_MS = 1_000;
/** Room above the longest answer a route may wait for (POST /v1/enrich, POST /v1/lookup). */
const ANSWER_MARGIN_MS = 5_000;

/**
 * The fastify options that bound how long a client may take, so a slow or stalled client cannot hold
 * a connection open (slowloris):
 * - `requestTimeout` sets Node's `server.requestTimeout`: the whole request (headers and body) must
 *   arrive within INGRESS_REQUEST_TIMEOUT_MS, or Node answers 408 and closes the connection. fastify's
 *   default is 0 (none), which overrides Node's own 300 s; Node's docs say it must be non-zero when no
 *   reverse proxy stands in front (https://nodejs.org/api/http.html#serverrequesttimeout,
 *   https://fastify.dev/docs/latest/Reference/Server/#requesttimeout).
 * - `http.headersTimeout` (Node's `server.headersTimeout`, default 60 s) may not exceed it.
 * - `http.connectionsCheckingInterval`: Node checks those deadlines only this often (default 30 s).
 * - `connectionTimeout` sets `server.timeout`, the socket inactivity bound
 *   (https://fastify.dev/docs/latest/Reference/Server/#connectiontimeout); it must outlast the longest
 *   synchronous wait of a route, during which the socket is idle by design.
 */
export function serverTimeouts(config: Pick<Config, 'INGRESS_REQUEST_TIMEOUT_MS' | 'INGRESS_SYNC_TIMEOUT_MS' | 'INGRESS_REDIS_TIMEOUT_MS'>) {
  const requestTimeout = config.INGRESS_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    connectionTimeout: Math.max(requestTimeout, config.INGRESS_SYNC_TIMEOUT_MS + config.INGRESS_REDIS_TIMEOUT_MS) + ANSWER_MARGIN_MS,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, requestTimeout),
    },
  };
}
