/**
 * Microsoft Graph advanced hunting emulator: `POST /v1.0/security/runHuntingQuery` as a real HTTPS
 * server on 127.0.0.1, for the queries ipenrich sends (config/hunting/ip-prevalence.kql), following
 * https://learn.microsoft.com/en-us/graph/api/security-security-runhuntingquery and the quotas of
 * https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting (docs/hunting.md, "Budget and quotas").
 *
 * - Bearer tokens from the Entra emulator (same `tokenSigningKey`) for a Graph audience; else 401.
 *   Without the `ThreatHunting.Read.All` role: 403.
 * - Calls per minute per tenant as a sliding window (default `45/60s`): 429 `TooManyRequests`, with
 *   `Retry-After` only when `callsRetryAfter` (Graph does not promise it for hunting).
 * - A CPU quota per tenant: `cpuQueriesPerCycle` queries per `cpuCycleMs` cycle (aligned to the
 *   clock, like the 15-minute cycles of the docs); past it every query gets 429 naming the CPU quota
 *   until the next cycle, with `Retry-After` only when `cpuRetryAfter`.
 * - Answers from the same synthetic organization as the Defender emulator (synthetic-ip-stats.ts,
 *   same seed and anchor), so both sources agree; one row per seen IP, the query's four columns.
 * - Faults: a rate of 500/504 `UnknownError` with an empty message (as reported in the field), a rate
 *   of queries never answered; `respondNext(...)` scripts exact answers.
 * - A query that is not ipenrich's prevalence query gets 400 `BadRequest`.
 */
import { isIP } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRateLimits, type RateWindow } from '../enrich/rate-windows.js';
import { GRAPH_RESOURCES, THREAT_HUNTING_READ_ALL } from './defender-resources.js';
import { verifyEmulatorToken } from './emulator-token.js';
import { readBody, sendJson, sleep, startHttpsServer, type RunningHttpsServer } from './https-server.js';
import { seededRandom } from './seeded-random.js';
import { SlidingWindowLog } from './sliding-window-log.js';
import { syntheticOrganization, type IpStatsFacts } from './synthetic-ip-stats.js';
import type { TlsMaterial } from './tls.js';

interface GraphHuntingMode {
  /** Send Retry-After (seconds) with a calls-per-minute 429. */
  readonly callsRetryAfter: boolean;
  /** Queries a tenant may run per CPU cycle; Infinity: no CPU quota. */
  readonly cpuQueriesPerCycle: number;
  /** Send Retry-After (seconds until the next cycle) with a CPU-quota 429. */
  readonly cpuRetryAfter: boolean;
  /** Probability (0–1) that an admitted query fails with `serverErrorStatus` and an empty message. */
  readonly serverErrorRate: number;
  readonly serverErrorStatus: 500 | 504;
  /** Probability (0–1) that an admitted query is never answered. */
  readonly hangRate: number;
  readonly latencyMs: number;
}

export interface GraphHuntingEmulatorOptions {
  readonly port?: number;
  readonly tls?: TlsMaterial;
  readonly tokenSigningKey: Buffer;
  /** `MDE_RATE_LIMITS` syntax. Default `45/60s`. */
  readonly rateLimits?: string;
  /** The CPU quota cycle; default 15 minutes (scaled in tests). */
  readonly cpuCycleMs?: number;
  /** Must equal the Defender emulator's for both to describe one organization. */
  readonly seed?: string;
  /** "Now" of the synthetic dates; default the start hour, as the Defender emulator. */
  readonly anchorMs?: number;
  readonly mode?: Partial<GraphHuntingMode>;
  readonly clock?: () => number;
}

interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

interface GraphHuntingCounters {
  /** Every POST to runHuntingQuery, whatever the answer. */
  totalCalls: number;
  /** Queries answered with data. */
  servedCalls: number;
  /** IPs asked per served query, in order. */
  ipsPerCall: number[];
  /** Distinct IPs answered over the run. */
  distinctIps: number;
  throttledCalls: number;
  throttledCpu: number;
  serverErrors: number;
  hung: number;
  badRequests: number;
  unauthorized: number;
  forbidden: number;
}

export interface GraphHuntingEmulator extends RunningHttpsServer {
  readonly counters: GraphHuntingCounters;
  setMode(mode: Partial<GraphHuntingMode>): void;
  respondNext(...responses: ScriptedResponse[]): void;
  setIpStats(ip: string, facts: IpStatsFacts | undefined): void;
  resetCounters(): void;
}

const DEFAULT_MODE: GraphHuntingMode = {
  callsRetryAfter: true,
  cpuQueriesPerCycle: Number.POSITIVE_INFINITY,
  cpuRetryAfter: false,
  serverErrorRate: 0,
  serverErrorStatus: 500,
  hangRate: 0,
  latencyMs: 0,
};

const freshCounters = (): GraphHuntingCounters => ({
  totalCalls: 0,
  servedCalls: 0,
  ipsPerCall: [],
  distinctIps: 0,
  throttledCalls: 0,
  throttledCpu: 0,
  serverErrors: 0,
  hung: 0,
  badRequests: 0,
  unauthorized: 0,
  forbidden: 0,
});

interface ParsedQuery {
  readonly ips: readonly string[];
  readonly lookBackHours: number;
}

/** The `let` lines ipenrich fills in (prevalence-query.ts); anything else is not a query this emulator knows. */
export function parsePrevalenceQuery(query: string): ParsedQuery | undefined {
  const lookBack = /^let lookBack = (\d+)h;$/m.exec(query);
  const ips = /^let ips = dynamic\((\[.*\])\);$/m.exec(query);
  if (!lookBack?.[1] || !ips?.[1] || !/^DeviceNetworkEvents$/m.test(query) || !/OrgPrevalence = dcount\(DeviceId/.test(query)) return undefined;
  try {
    const list: unknown = JSON.parse(ips[1]);
    if (!Array.isArray(list) || !list.every((ip): ip is string => typeof ip === 'string' && isIP(ip) !== 0)) return undefined;
    return { ips: list, lookBackHours: Number(lookBack[1]) };
  } catch {
    return undefined;
  }
}

/** Kusto writes datetimes with 7 fraction digits. */
const kustoTime = (iso: string | null): string | null => (iso === null ? null : iso.replace(/(\.\d+)?Z$/, '.0000000Z'));

export async function startGraphHuntingEmulator(options: GraphHuntingEmulatorOptions): Promise<GraphHuntingEmulator> {
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 'ipenrich';
  const random = seededRandom(`graph|${seed}`);
  const organization = syntheticOrganization({ seed, clock, anchorMs: options.anchorMs });
  const cycleMs = options.cpuCycleMs ?? 15 * 60_000;
  const windows: RateWindow[] | string = parseRateLimits(options.rateLimits ?? '45/60s');
  if (typeof windows === 'string') throw new Error(`Graph emulator rateLimits: ${windows}`);
  const calls = new SlidingWindowLog(windows);
  /** tenant → [cycle start, queries run in it] */
  const cpu = new Map<string, { cycle: number; used: number }>();
  let mode: GraphHuntingMode = { ...DEFAULT_MODE, ...options.mode };
  const counters = freshCounters();
  const answered = new Set<string>();
  const scripted: ScriptedResponse[] = [];

  const fail = (response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
    sendJson(response, status, { error: { code, message, innerError: { date: new Date(clock()).toISOString().slice(0, 19), 'request-id': 'emulator' } } }, headers);

  async function runHuntingQuery(request: IncomingMessage, response: ServerResponse): Promise<void> {
    counters.totalCalls += 1;
    const body = await readBody(request);
    const next = scripted.shift();
    if (next) {
      sendJson(response, next.status, next.body ?? '', { ...next.headers });
      return;
    }
    if (mode.latencyMs > 0) await sleep(mode.latencyMs);
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const check = bearer ? verifyEmulatorToken(bearer, options.tokenSigningKey, { nowMs: clock(), audiences: GRAPH_RESOURCES }) : undefined;
    if (!check?.ok) {
      counters.unauthorized += 1;
      fail(response, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      return;
    }
    if (!check.claims.roles.includes(THREAT_HUNTING_READ_ALL)) {
      counters.forbidden += 1;
      fail(response, 403, 'Forbidden', 'Missing application roles. API required roles: ThreatHunting.Read.All.');
      return;
    }
    const tenant = check.claims.tid;
    const now = clock();
    const admission = calls.admit(tenant, now);
    if (!admission.admitted) {
      counters.throttledCalls += 1;
      const seconds = Math.ceil(admission.retryAfterMs / 1000);
      fail(response, 429, 'TooManyRequests', `Too many requests: exceeded the allowed number of calls per minute. Try again in ${seconds} seconds.`, mode.callsRetryAfter ? { 'retry-after': String(seconds) } : {});
      return;
    }
    const cycle = Math.floor(now / cycleMs) * cycleMs;
    const usage = cpu.get(tenant);
    const used = usage?.cycle === cycle ? usage.used : 0;
    if (used >= mode.cpuQueriesPerCycle) {
      counters.throttledCpu += 1;
      const seconds = Math.ceil((cycle + cycleMs - now) / 1000);
      fail(response, 429, 'TooManyRequests', 'Query execution was blocked: the tenant has exceeded its allocated CPU resources for the current 15-minute cycle.', mode.cpuRetryAfter ? { 'retry-after': String(seconds) } : {});
      return;
    }
    cpu.set(tenant, { cycle, used: used + 1 });
    if (mode.hangRate > 0 && random() < mode.hangRate) {
      counters.hung += 1;
      return;
    }
    if (mode.serverErrorRate > 0 && random() < mode.serverErrorRate) {
      counters.serverErrors += 1;
      fail(response, mode.serverErrorStatus, 'UnknownError', '');
      return;
    }
    let parsed: ParsedQuery | undefined;
    try {
      const json = JSON.parse(body.toString('utf8')) as { Query?: unknown };
      parsed = typeof json.Query === 'string' ? parsePrevalenceQuery(json.Query) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.lookBackHours < 1 || parsed.lookBackHours > 720) {
      counters.badRequests += 1;
      fail(response, 400, 'BadRequest', 'Query could not be parsed at \'let\'.');
      return;
    }
    counters.servedCalls += 1;
    counters.ipsPerCall.push(parsed.ips.length);
    const results = parsed.ips.flatMap((ip) => {
      answered.add(ip);
      const facts = organization.facts(ip, parsed.lookBackHours);
      if (facts.prevalence === 0) return [];
      return [{ IPAddress: ip, OrgPrevalence: facts.prevalence, OrgFirstSeen: kustoTime(facts.firstSeen), OrgLastSeen: kustoTime(facts.lastSeen) }];
    });
    counters.distinctIps = answered.size;
    sendJson(response, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults',
      schema: [
        { name: 'IPAddress', type: 'String' },
        { name: 'OrgPrevalence', type: 'Int64' },
        { name: 'OrgFirstSeen', type: 'DateTime' },
        { name: 'OrgLastSeen', type: 'DateTime' },
      ],
      results,
    });
  }

  const server = await startHttpsServer(
    async (request, response) => {
      const url = new URL(request.url ?? '/', 'https://emulator.invalid');
      if (request.method === 'POST' && /^\/v1\.0\/security\/runHuntingQuery$/i.test(url.pathname)) {
        await runHuntingQuery(request, response);
        return;
      }
      fail(response, 404, 'ResourceNotFound', `Resource not found for the segment '${url.pathname}'.`);
    },
    { ...(options.port === undefined ? {} : { port: options.port }), ...(options.tls ? { tls: options.tls } : {}) },
  );

  return {
    ...server,
    counters,
    setMode(next) {
      mode = { ...mode, ...next };
    },
    respondNext(...responses) {
      scripted.push(...responses);
    },
    setIpStats: (ip, facts) => organization.setIpStats(ip, facts),
    resetCounters() {
      Object.assign(counters, freshCounters());
      answered.clear();
    },
  };
}
