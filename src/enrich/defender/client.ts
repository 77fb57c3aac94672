import type { AccessTokenSource } from '../../auth/access-token-source.js';
import { IpenrichError } from '../../errors.js';
import { summarizeRequest } from '../../http/request-summary.js';
import type { HttpResponse, HttpTransport } from '../../http/transport.js';
import { isHttpTransportError } from '../../http/transport-error.js';
import { canonicalIp } from '../../extract/index.js';
import type { IpStatsClient, IpStatsRecord, IpStatsRequest } from '../ip-stats.js';
import { defenderApiBase, defenderScope, type DefenderLocationSettings } from './endpoints.js';
import { ipStatsBodySchema, parseDefenderError, prevalenceOf } from './response.js';
import { defenderStatusError } from './status-error.js';

export interface DefenderClientOptions {
  readonly settings: DefenderLocationSettings & { readonly MDE_TIMEOUT_MS: number };
  readonly tokens: AccessTokenSource;
  readonly transport: HttpTransport;
  readonly clock?: () => number;
}

/**
 * A 404 means "IP not seen" (older revisions of the get-ip-statistics page: "IP do not exist - 404 Not Found",
 * MicrosoftDocs/microsoft-365-docs-pr.<locale>, microsoft-365/security/defender-endpoint/get-ip-statistics.md) only
 * with Defender's error envelope and a not-found code (`ResourceNotFound`, `NotFound`): a bare 404 is a wrong
 * MDE_API_BASE_URL, and caching every IP as unseen because of a typo would be silent and wrong.
 */
const isNotSeen = (response: HttpResponse): boolean => response.status === 404 && /notfound/i.test(parseDefenderError(response.body)?.code ?? '');

/**
 * One tenant's Defender for Endpoint "Get IP statistics" client.
 * https://learn.microsoft.com/en-us/defender-endpoint/api/get-ip-statistics
 *
 * It makes exactly one API call per request, plus one more only after a 401 (with a token fetched
 * past the cache, in case the cached one was revoked). It never retries 429 (the shared limiter
 * owns the budget) nor 5xx (the worker retries with backoff).
 */
export class DefenderIpStatsClient implements IpStatsClient {
  readonly #base: string;
  readonly #scope: string;
  readonly #timeoutMs: number;
  readonly #tokens: AccessTokenSource;
  readonly #transport: HttpTransport;
  readonly #clock: () => number;

  constructor(options: DefenderClientOptions) {
    this.#base = defenderApiBase(options.settings);
    this.#scope = defenderScope(options.settings);
    this.#timeoutMs = options.settings.MDE_TIMEOUT_MS;
    this.#tokens = options.tokens;
    this.#transport = options.transport;
    this.#clock = options.clock ?? Date.now;
  }

  async ready(signal?: AbortSignal): Promise<void> {
    await this.#tokens.getAccessToken(this.#scope, signal ? { signal } : {});
  }

  async getIpStats(request: IpStatsRequest): Promise<IpStatsRecord> {
    const { ip, lookBackHours, signal } = request;
    if (canonicalIp(ip)?.ip !== ip) {
      throw new IpenrichError('INVALID_IP', `"${ip}" is not an IP address in canonical form; extraction canonicalizes before enrichment`);
    }
    if (!Number.isInteger(lookBackHours) || lookBackHours < 1 || lookBackHours > 720) {
      throw new IpenrichError('CONFIG_INVALID', `lookBackHours must be an integer from 1 to 720, not ${lookBackHours}`);
    }
    // A canonical IP holds only [0-9a-f.:], all legal in a path; Defender's examples do not encode.
    const url = `${this.#base}/api/ips/${ip}/stats?lookBackHours=${lookBackHours}`;

    let response = await this.#call(url, false, signal);
    if (response.status === 401) response = await this.#call(url, true, signal);
    return this.#interpret(response, ip, lookBackHours, url);
  }

  async #call(url: string, forceRefresh: boolean, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const token = await this.#tokens.getAccessToken(this.#scope, { forceRefresh, ...(signal ? { signal } : {}) });
    try {
      return await this.#transport.request({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' },
        timeoutMs: this.#timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isHttpTransportError(error)) {
        const code = error.kind === 'timeout' ? 'MDE_TIMEOUT' : 'MDE_NETWORK';
        throw new IpenrichError(code, `Defender request failed: ${error.message}`, { cause: error, details: { request: error.request } });
      }
      throw error;
    }
  }

  #interpret(response: HttpResponse, ip: string, lookBackHours: number, url: string): IpStatsRecord {
    const now = this.#clock();
    const fetchedAt = new Date(now).toISOString();
    const summary = summarizeRequest({ method: 'GET', url });
    if (isNotSeen(response)) {
      return { ip, prevalence: 0, firstSeen: null, lastSeen: null, seen: false, lookBackHours, fetchedAt };
    }
    if (response.status < 200 || response.status >= 300) throw defenderStatusError(response, ip, summary, now);

    let json: unknown;
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new IpenrichError('MDE_BAD_RESPONSE', `Defender answered ${response.status} for ${ip} with a body that is not JSON`, {
        statusCode: response.status,
        details: { request: summary },
      });
    }
    const parsed = ipStatsBodySchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
      throw new IpenrichError('MDE_BAD_RESPONSE', `Defender's answer for ${ip} does not match either documented shape (${problems})`, {
        statusCode: response.status,
        details: { request: summary },
      });
    }
    const prevalence = prevalenceOf(parsed.data);
    return {
      ip,
      prevalence,
      firstSeen: parsed.data.orgFirstSeen ?? null,
      lastSeen: parsed.data.orgLastSeen ?? null,
      seen: prevalence > 0,
      lookBackHours,
      fetchedAt,
    };
  }
}
