/**
 * Defender for Endpoint emulator: `GET /api/ips/{ip}/stats[?lookBackHours=N]` as a real HTTPS
 * server on 127.0.0.1, following https://learn.microsoft.com/en-us/defender-endpoint/api/get-ip-statistics (its older
 * revisions for the `legacy` variant) and https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors.
 *
 *   const entra = await startEntraEmulator();
 *   const defender = await startDefenderEmulator({ tokenSigningKey: entra.tokenSigningKey, rateLimits: '20/1s,100/10s' });
 *   MDE_API_BASE_URL=defender.url
 *
 * (`startEmulators()` in emulators.ts does both.) Behaviour:
 * - Bearer tokens must be ones the Entra emulator issued (same `tokenSigningKey`), unexpired, for a
 *   Defender audience; else 401 `Unauthorized`. Without the `Ip.Read.All` role: 403 `Forbidden`.
 * - Rate limits per tenant + application, every window a SLIDING window (default 100/60s,1500/3600s;
 *   scaled e.g. `20/1s,100/10s`): 429 `TooManyRequests`, `Retry-After` (seconds, or an HTTP date by
 *   mode), and a message naming the window: `maximum allowed 100 per 00:01:00`.
 * - Deterministic synthetic data per IP (synthetic-ip-stats.ts), or what `setIpStats` fixed.
 * - Variants: `current` (`organizationPrevalence` number; unseen IP → 200 with 0 and null dates) and
 *   `legacy` (`orgPrevalence` string; unseen IP → 404 `ResourceNotFound`).
 * - 400 `InvalidIpAddress` for a malformed IP; 400 `InvalidInput` for lookBackHours outside 1–720 (unconfirmed: the
 *   docs give only the 720-hour maximum, not what the service answers beyond it).
 * - Faults by mode: latency, a rate of 5xx answers, a rate of calls never answered (hang), all
 *   tokens refused; `respondNext(...)` scripts exact answers for the next calls.
 * Order per call: scripted answer, latency, auth, permission, rate limit, hang, 5xx, validation, data.
 * Errors use the `{"error":{"code","message","target"}}` envelope.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRateLimits, type RateWindow } from '../enrich/rate-windows.js';
import { DEFENDER_RESOURCES, IP_READ_ALL } from './defender-resources.js';
import { verifyEmulatorToken } from './emulator-token.js';
import { sendJson, sleep, startHttpsServer, type RunningHttpsServer } from './https-server.js';
import { formatTimeSpan, SlidingWindowLog } from './sliding-window-log.js';
import { seededRandom } from './seeded-random.js';
import { syntheticOrganization, type IpStatsFacts } from './synthetic-ip-stats.js';
import type { TlsMaterial } from './tls.js';

type DefenderVariant = 'current' | 'legacy';

export interface DefenderMode {
  readonly variant: DefenderVariant;
  /** Probability (0–1) that an admitted call is answered with `serverErrorStatus`. */
  readonly serverErrorRate: number;
  readonly serverErrorStatus: number;
  /** Delay before every answer. */
  readonly latencyMs: number;
  /** Probability (0–1) that an admitted call is never answered. */
  readonly hangRate: number;
  readonly retryAfterFormat: 'seconds' | 'http-date';
  /** Refuse every token with 401 (as after a revoked app secret). */
  readonly rejectAllTokens: boolean;
}

export interface DefenderEmulatorOptions {
  readonly port?: number;
  readonly tls?: TlsMaterial;
  /** The Entra emulator's `tokenSigningKey`. */
  readonly tokenSigningKey: Buffer;
  readonly audiences?: readonly string[];
  /** `MDE_RATE_LIMITS` syntax or parsed windows. Default `100/60s,1500/3600s`. */
  readonly rateLimits?: string | readonly RateWindow[];
  /** Seeds synthetic data and fault randomness (same seed, same run). */
  readonly seed?: string;
  readonly mode?: Partial<DefenderMode>;
  /** Milliseconds clock for limits and data; Date.now by default. */
  readonly clock?: () => number;
  /** "Now" of the synthetic dates; default the start hour. The Graph emulator takes the same one. */
  readonly anchorMs?: number;
}

/** An exact answer for the next call (status, headers, JSON or text body). */
interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface DefenderCounters {
  /** Every request to /api/ips/…/stats, whatever the answer. */
  totalCalls: number;
  /** Calls answered with data (200, or legacy 404 for an unseen IP). */
  servedCalls: number;
  throttled: number;
  unauthorized: number;
  forbidden: number;
  serverErrors: number;
  hung: number;
  badRequests: number;
  scripted: number;
  /** Requests per IP as written in the path (all answers). */
  callsPerIp: Record<string, number>;
  /** Answers per HTTP status. */
  statusCounts: Record<string, number>;
  /** Distinct bearer tokens presented. */
  tokensSeen: number;
  inFlight: number;
  maxInFlight: number;
}

export interface DefenderEmulator extends RunningHttpsServer {
  readonly counters: DefenderCounters;
  readonly windows: readonly RateWindow[];
  setMode(mode: Partial<DefenderMode>): void;
  /** The next calls get these answers, in order, before any other check. */
  respondNext(...responses: ScriptedResponse[]): void;
  /** Fix what the emulator says about an IP; `undefined` returns it to synthetic data. */
  setIpStats(ip: string, facts: IpStatsFacts | undefined): void;
  /** Every token presented so far is refused from now on (a 401 forces clients to get a new one). */
  revokeTokensSeen(): void;
  resetCounters(): void;
  /** Forget the rate-limit history. */
  resetLimits(): void;
}

const DEFAULT_MODE: DefenderMode = {
  variant: 'current',
  serverErrorRate: 0,
  serverErrorStatus: 500,
  latencyMs: 0,
  hangRate: 0,
  retryAfterFormat: 'seconds',
  rejectAllTokens: false,
};

function freshCounters(): DefenderCounters {
  return {
    totalCalls: 0,
    servedCalls: 0,
    throttled: 0,
    unauthorized: 0,
    forbidden: 0,
    serverErrors: 0,
    hung: 0,
    badRequests: 0,
    scripted: 0,
    callsPerIp: {},
    statusCounts: {},
    tokensSeen: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
}

function resolveWindows(limits: string | readonly RateWindow[] | undefined): readonly RateWindow[] {
  if (limits === undefined) return [
    { max: 100, windowMs: 60_000 },
    { max: 1500, windowMs: 3_600_000 },
  ];
  if (typeof limits !== 'string') return limits;
  const parsed = parseRateLimits(limits);
  if (typeof parsed === 'string') throw new Error(`Defender emulator rateLimits: ${parsed}`);
  return parsed;
}

export async function startDefenderEmulator(options: DefenderEmulatorOptions): Promise<DefenderEmulator> {
  const clock = options.clock ?? Date.now;
  const audiences = options.audiences ?? DEFENDER_RESOURCES;
  const seed = options.seed ?? 'ipenrich';
  const random = seededRandom(seed);
  const limiter = new SlidingWindowLog(resolveWindows(options.rateLimits));
  const organization = syntheticOrganization({ seed, clock, anchorMs: options.anchorMs });
  let mode: DefenderMode = { ...DEFAULT_MODE, ...options.mode };
  const counters = freshCounters();
  const scripted: ScriptedResponse[] = [];
  /** Tokens presented since the last counter reset (for the counter), and ever (for revocation). */
  const tokensSeen = new Set<string>();
  const presented = new Set<string>();
  const revoked = new Set<string>();
  let origin = '';

  const bump = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };

  function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    bump(counters.statusCounts, String(status));
    if (typeof body === 'string') {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      response.end(body);
    } else {
      sendJson(response, status, body, headers);
    }
  }

  const fail = (response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
    answer(response, status, { error: { code, message, target: randomUUID() } }, headers);

  function stats(ip: string, lookBackHours: number): Record<string, unknown> | undefined {
    const facts = organization.facts(ip, lookBackHours);
    const context = `${origin}/api/$metadata#microsoft.windowsDefenderATP.api.InOrgIPStats`;
    if (mode.variant === 'legacy') {
      if (facts.prevalence === 0) return undefined;
      return { '@odata.context': context, ipAddress: ip, orgPrevalence: String(facts.prevalence), orgFirstSeen: facts.firstSeen, orgLastSeen: facts.lastSeen };
    }
    return { '@odata.context': context, ipAddress: ip, organizationPrevalence: facts.prevalence, orgFirstSeen: facts.firstSeen, orgLastSeen: facts.lastSeen };
  }

  async function ipStats(request: IncomingMessage, response: ServerResponse, rawIp: string, query: URLSearchParams): Promise<void> {
    let ip: string;
    try {
      ip = decodeURIComponent(rawIp);
    } catch {
      ip = rawIp;
    }
    counters.totalCalls += 1;
    bump(counters.callsPerIp, ip);
    const next = scripted.shift();
    if (next) {
      counters.scripted += 1;
      answer(response, next.status, next.body ?? '', { ...next.headers });
      return;
    }
    if (mode.latencyMs > 0) await sleep(mode.latencyMs);

    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      presented.add(bearer);
      tokensSeen.add(bearer);
      counters.tokensSeen = tokensSeen.size;
    }
    const check = bearer ? verifyEmulatorToken(bearer, options.tokenSigningKey, { nowMs: clock(), audiences }) : undefined;
    if (!bearer || !check?.ok || revoked.has(bearer) || mode.rejectAllTokens) {
      counters.unauthorized += 1;
      fail(response, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (!check.claims.roles.includes(IP_READ_ALL)) {
      counters.forbidden += 1;
      fail(response, 403, 'Forbidden', `The application does not have any of the required application permissions (${IP_READ_ALL}) to access the resource.`);
      return;
    }

    const now = clock();
    const admission = limiter.admit(`${check.claims.tid}|${check.claims.appid}`, now);
    if (!admission.admitted) {
      counters.throttled += 1;
      const seconds = Math.ceil(admission.retryAfterMs / 1000);
      const retryAfter = mode.retryAfterFormat === 'http-date' ? new Date(now + seconds * 1000 + 999).toUTCString() : String(seconds);
      fail(
        response,
        429,
        'TooManyRequests',
        `API calls quota exceeded! maximum allowed ${admission.window.max} per ${formatTimeSpan(admission.window.windowMs)}. Try again in ${seconds} seconds.`,
        { 'retry-after': retryAfter },
      );
      return;
    }
    if (mode.hangRate > 0 && random() < mode.hangRate) {
      counters.hung += 1;
      return;
    }
    if (mode.serverErrorRate > 0 && random() < mode.serverErrorRate) {
      counters.serverErrors += 1;
      fail(response, mode.serverErrorStatus, 'InternalServerError', 'An unexpected error occurred; retry the operation.');
      return;
    }

    if (isIP(ip) === 0 || ip.includes('%')) {
      counters.badRequests += 1;
      fail(response, 400, 'InvalidIpAddress', `IP address ${ip} is invalid.`);
      return;
    }
    const lookBackText = query.get('lookBackHours') ?? query.get('lookbackhours');
    const lookBackHours = lookBackText === null ? 720 : Number(lookBackText);
    if (!Number.isInteger(lookBackHours) || lookBackHours < 1 || lookBackHours > 720) {
      counters.badRequests += 1;
      fail(response, 400, 'InvalidInput', `Invalid input lookBackHours ${lookBackText ?? ''}.`);
      return;
    }
    const body = stats(ip, lookBackHours);
    counters.servedCalls += 1;
    if (body) answer(response, 200, body);
    else fail(response, 404, 'ResourceNotFound', `Ip ${ip} was not found.`);
  }

  const server = await startHttpsServer(
    async (request, response) => {
      const url = new URL(request.url ?? '/', 'https://emulator.invalid');
      const match = /^\/api\/ips\/([^/]+)\/stats$/.exec(url.pathname);
      if (request.method === 'GET' && match?.[1] !== undefined) {
        counters.inFlight += 1;
        counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
        response.once('close', () => {
          counters.inFlight -= 1;
        });
        await ipStats(request, response, match[1], url.searchParams);
        return;
      }
      fail(response, 404, 'NotFound', `No route for ${request.method ?? ''} ${url.pathname}.`);
    },
    { ...(options.port === undefined ? {} : { port: options.port }), ...(options.tls ? { tls: options.tls } : {}) },
  );
  origin = server.url;

  return {
    ...server,
    counters,
    windows: limiter.windows,
    setMode(next) {
      mode = { ...mode, ...next };
    },
    respondNext(...responses) {
      scripted.push(...responses);
    },
    setIpStats: (ip, facts) => organization.setIpStats(ip, facts),
    revokeTokensSeen() {
      for (const token of presented) revoked.add(token);
    },
    resetCounters() {
      Object.assign(counters, { ...freshCounters(), inFlight: counters.inFlight });
      tokensSeen.clear();
    },
    resetLimits() {
      limiter.clear();
    },
  };
}
