import { z } from 'zod';
import type { AccessTokenSource } from '../../auth/access-token-source.js';
import { IpenrichError } from '../../errors.js';
import { summarizeRequest } from '../../http/request-summary.js';
import type { HttpResponse, HttpTransport } from '../../http/transport.js';
import { isHttpTransportError } from '../../http/transport-error.js';
import { timestamp } from '../defender/response.js';
import type { IpStatsRecord } from '../ip-stats.js';
import { graphBase, graphScope, type GraphLocationSettings } from './graph-endpoints.js';
import type { HuntingClient, PrevalenceRequest } from './hunting-client.js';
import { huntingStatusError } from './hunting-status-error.js';
import { PREVALENCE_COLUMNS, prevalenceQuery } from './prevalence-query.js';

interface GraphHuntingSettings extends GraphLocationSettings {
  readonly GRAPH_HUNTING_TIMEOUT_MS: number;
  readonly GRAPH_HUNTING_ACTION_TYPES: readonly string[];
}

export interface GraphHuntingClientOptions {
  readonly settings: GraphHuntingSettings;
  readonly tokens: AccessTokenSource;
  readonly transport: HttpTransport;
  readonly clock?: () => number;
}

/**
 * A row as read: column names compared case-insensitively (the docs show both `name` and `Name`:
 * https://learn.microsoft.com/en-us/graph/api/security-security-runhuntingquery).
 */
const rowSchema = z.object({
  ipaddress: z.string(),
  orgprevalence: z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)]),
  orgfirstseen: timestamp.nullish(),
  orglastseen: timestamp.nullish(),
});

const lowerKeys = (row: unknown): unknown =>
  row !== null && typeof row === 'object' && !Array.isArray(row) ? Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value])) : row;

const answerSchema = z.looseObject({ results: z.array(z.unknown()) });

/**
 * One tenant's Microsoft Graph advanced hunting client: `POST /v1.0/security/runHuntingQuery` with
 * the prevalence query (config/hunting/ip-prevalence.kql) for a batch of IPs.
 * https://learn.microsoft.com/en-us/graph/api/security-security-runhuntingquery
 *
 * One call per batch, plus one more only after a 401 (with a token fetched past the cache). It never
 * retries 429 (the shared limiter owns the hunting budget) nor 5xx (the worker retries with backoff).
 */
export class GraphHuntingClient implements HuntingClient {
  readonly #url: string;
  readonly #scope: string;
  readonly #timeoutMs: number;
  readonly #actionTypes: readonly string[];
  readonly #tokens: AccessTokenSource;
  readonly #transport: HttpTransport;
  readonly #clock: () => number;

  constructor(options: GraphHuntingClientOptions) {
    this.#url = `${graphBase(options.settings)}/v1.0/security/runHuntingQuery`;
    this.#scope = graphScope(options.settings);
    this.#timeoutMs = options.settings.GRAPH_HUNTING_TIMEOUT_MS;
    this.#actionTypes = options.settings.GRAPH_HUNTING_ACTION_TYPES;
    this.#tokens = options.tokens;
    this.#transport = options.transport;
    this.#clock = options.clock ?? Date.now;
  }

  async ready(signal?: AbortSignal): Promise<void> {
    await this.#tokens.getAccessToken(this.#scope, signal ? { signal } : {});
  }

  async prevalence(request: PrevalenceRequest): Promise<IpStatsRecord[]> {
    const { ips, lookBackHours, signal } = request;
    // Timespan bounds the data as well: the shorter of it and the query's own filter applies.
    const body = JSON.stringify({ Query: prevalenceQuery({ ips, lookBackHours, actionTypes: this.#actionTypes }), Timespan: `PT${lookBackHours}H` });
    let response = await this.#call(body, false, signal);
    if (response.status === 401) response = await this.#call(body, true, signal);
    return this.#interpret(response, ips, lookBackHours);
  }

  async #call(body: string, forceRefresh: boolean, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const token = await this.#tokens.getAccessToken(this.#scope, { forceRefresh, ...(signal ? { signal } : {}) });
    try {
      return await this.#transport.request({
        method: 'POST',
        url: this.#url,
        headers: { authorization: `Bearer ${token.token}`, accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
        body,
        timeoutMs: this.#timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isHttpTransportError(error)) {
        throw new IpenrichError('HUNTING_UNAVAILABLE', `the hunting query failed: ${error.message}`, { cause: error, details: { request: error.request } });
      }
      throw error;
    }
  }

  #interpret(response: HttpResponse, ips: readonly string[], lookBackHours: number): IpStatsRecord[] {
    const now = this.#clock();
    const summary = summarizeRequest({ method: 'POST', url: this.#url });
    if (response.status < 200 || response.status >= 300) throw huntingStatusError(response, summary, now);
    const bad = (why: string): IpenrichError =>
      new IpenrichError('HUNTING_BAD_RESPONSE', `Graph answered the hunting query with ${why}`, { statusCode: response.status, details: { request: summary } });
    let json: unknown;
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw bad('a body that is not JSON');
    }
    const answer = answerSchema.safeParse(json);
    if (!answer.success) throw bad('no results array');
    const byIp = new Map<string, z.output<typeof rowSchema>>();
    for (const raw of answer.data.results) {
      const row = rowSchema.safeParse(lowerKeys(raw));
      if (!row.success) throw bad(`a row without the columns ${PREVALENCE_COLUMNS.join(', ')}`);
      byIp.set(row.data.ipaddress.toLowerCase(), row.data);
    }
    const fetchedAt = new Date(now).toISOString();
    // No row: no counted connection in the window, which the IP stats API answers as prevalence 0.
    return ips.map((ip): IpStatsRecord => {
      const row = byIp.get(ip);
      const prevalence = row?.orgprevalence ?? 0;
      return {
        ip,
        prevalence,
        firstSeen: prevalence > 0 ? (row?.orgfirstseen ?? null) : null,
        lastSeen: prevalence > 0 ? (row?.orglastseen ?? null) : null,
        seen: prevalence > 0,
        lookBackHours,
        fetchedAt,
        source: 'hunting',
      };
    });
  }
}
