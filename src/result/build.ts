import type { IpStatsRecord } from '../enrich/ip-stats.js';
import type { IpRange } from '../extract/ip-ranges.js';
import { IP_STATUSES, RESULT_SCHEMA_VERSION, type AlertResult, type IpResult, type IpStatus } from './schema.js';
import { summarize } from './summary.js';
import { verdictFor, type VerdictPolicy } from './verdict.js';

/** One IP as extraction found it. */
export interface FoundIp {
  readonly ip: string;
  readonly version: 4 | 6;
  readonly range: IpRange;
  readonly enrich: boolean;
  readonly reason?: string;
  readonly paths: readonly string[];
}

/** What enrichment said about one IP (see src/enrich/enricher.ts). */
export interface IpOutcome {
  readonly ip: string;
  readonly status: 'enriched' | 'not_seen' | 'invalid' | 'error' | 'deferred';
  readonly record?: IpStatsRecord;
  readonly cached: boolean;
  readonly stale?: boolean;
  readonly fetchedAt?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly retryAt?: number;
}

interface AlertFacts {
  readonly alertId: string;
  readonly tenant: string;
  readonly contentDigest: string | null;
  readonly replaces: string | null;
  readonly format: string;
  readonly title: string | null;
  readonly severity: string | null;
  readonly incidentArmId: string | null;
  readonly alertTime: string | null;
  readonly receivedAt: string;
}

export interface BuildInput {
  readonly facts: AlertFacts;
  readonly found: readonly FoundIp[];
  readonly cidrs: readonly string[];
  readonly truncated: boolean;
  readonly outcomes: ReadonlyMap<string, IpOutcome>;
  readonly lookBackHours: number;
  readonly policy: VerdictPolicy;
  readonly now: number;
}

function ipResult(found: FoundIp, outcome: IpOutcome | undefined, input: BuildInput): IpResult {
  const base = {
    ip: found.ip,
    version: found.version,
    range: found.range,
    lookBackHours: outcome?.record?.lookBackHours ?? input.lookBackHours,
    paths: [...found.paths],
  };
  if (!found.enrich) {
    return { ...base, status: 'skipped', prevalence: null, firstSeen: null, lastSeen: null, cached: false, verdict: [], reason: found.reason ?? `${found.range} address` };
  }
  if (!outcome) {
    return { ...base, status: 'error', prevalence: null, firstSeen: null, lastSeen: null, cached: false, verdict: [], reason: 'no enrichment outcome', error: { code: 'INTERNAL', message: 'no enrichment outcome' } };
  }
  const record = outcome.record;
  const status: IpStatus = outcome.status;
  const result: IpResult = {
    ...base,
    status,
    prevalence: record ? record.prevalence : null,
    firstSeen: record?.firstSeen ?? null,
    lastSeen: record?.lastSeen ?? null,
    cached: outcome.cached,
    verdict: record && (status === 'enriched' || status === 'not_seen') ? verdictFor(record, input.policy, input.now) : [],
  };
  const fetchedAt = outcome.fetchedAt ?? record?.fetchedAt;
  if (fetchedAt !== undefined && (status === 'enriched' || status === 'not_seen' || status === 'invalid')) {
    result.stale = outcome.stale === true;
    result.fetchedAt = fetchedAt;
    result.source = record?.source ?? 'ipstats';
  }
  if (outcome.error) {
    result.error = { code: outcome.error.code, message: outcome.error.message };
    result.reason = outcome.error.message;
  }
  if (status === 'deferred') {
    result.reason ??= 'API budget exhausted';
    if (outcome.retryAt !== undefined) result.retryAt = new Date(outcome.retryAt).toISOString();
  }
  if (status === 'invalid') result.reason ??= 'Defender rejected the address as invalid';
  return result;
}

/** Assembles the result an analyst and every sink see. Pure: the same input gives the same result. */
export function buildResult(input: BuildInput): AlertResult {
  const ips = input.found.map((found) => ipResult(found, input.outcomes.get(found.ip), input));
  const counts = Object.fromEntries(IP_STATUSES.map((status) => [status, 0])) as Record<IpStatus, number>;
  for (const ip of ips) counts[ip.status] += 1;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    alertId: input.facts.alertId,
    tenant: input.facts.tenant,
    contentDigest: input.facts.contentDigest,
    replaces: input.facts.replaces,
    format: input.facts.format,
    title: input.facts.title,
    severity: input.facts.severity,
    incidentArmId: input.facts.incidentArmId,
    alertTime: input.facts.alertTime,
    receivedAt: input.facts.receivedAt,
    completedAt: new Date(input.now).toISOString(),
    partial: counts.deferred + counts.error > 0,
    truncated: input.truncated,
    ips,
    cidrs: [...input.cidrs],
    summary: {
      text: summarize(ips, counts),
      counts,
      rare: ips.filter((ip) => ip.verdict.includes('rare')).map((ip) => ip.ip),
      new: ips.filter((ip) => ip.verdict.includes('new')).map((ip) => ip.ip),
    },
  };
}
