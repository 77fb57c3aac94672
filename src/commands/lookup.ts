import { parseArgs } from 'node:util';
import type { Config } from '../config/load.js';
import { isSettingGiven, loadConfig } from '../config/load.js';
import { tenantNamed } from '../config/tenant-named.js';
import type { IpStatsRecord } from '../enrich/ip-stats.js';
import { buildDefenderParts, buildSharedParts } from '../composition/shared-parts.js';
import { hasCode, IpenrichError, toIpenrichError, type ErrorCode } from '../errors.js';
import { describeRedisUrl, openRuntime, type Runtime } from '../composition/runtime.js';
import { canonicalIp } from '../extract/index.js';
import { createLogger, type Logger } from '../log.js';
import { scrubSecrets } from '../secrets.js';
import type { Command } from './command.js';
import { integerOption } from './integer-option.js';

const usage = `Usage: ipenrich lookup IP… [--tenant NAME] [--look-back-hours N]

Asks Defender for Endpoint about each IP and prints one JSON line per IP, in order: the record
{"ip","prevalence","firstSeen","lastSeen","seen","lookBackHours","fetchedAt","cached"}, or
{"ip","error":{"code","message"}}. Lookups go through the worker's cache and shared API budget in
Redis (REDIS_URL); they wait for budget when it is exhausted, except for IPs whose cache entry is
past its TTL but within CACHE_MAX_STALE_S: those are answered from it at once, with "stale":true. Without REDIS_URL and with no Redis
on localhost, lookup asks Defender's IP stats directly and says so on stderr (a tenant with
MDE_SOURCE=hunting is refused then: its budget is shared in Redis). IPs may be written in any usual form (IPv6 compressed or not,
[brackets], defanged 1.2.3[.]4); they are looked up in canonical form.
Exit 0 when every lookup succeeded, 1 when one failed, 2 for an invalid IP or usage (then nothing
is looked up). Configuration: MDE_* settings (see config/ipenrich.example.env).`;

export type LookupOutcome =
  | { readonly ip: string; readonly record: IpStatsRecord; readonly cached?: boolean; readonly stale?: boolean }
  | { readonly ip: string; readonly error: IpenrichError };

export interface LookupOptions {
  readonly tenant: string;
  readonly lookBackHours: number;
  readonly logger: Logger;
}

/** Failures of the credential or permission, not of one IP: the other IPs would only repeat them. */
const SAME_FOR_EVERY_IP = new Set<ErrorCode>(['AUTH_FAILED', 'AUTH_CONSENT_REQUIRED', 'CONFIG_INVALID', 'MDE_FORBIDDEN', 'MDE_UNAUTHORIZED']);

/**
 * The normal path: the worker's enricher, so lookups share the cache, the coalescing and the
 * multi-window budget with every other process on the same Redis.
 */
export async function lookupThroughEnricher(runtime: Runtime, ips: readonly string[], options: LookupOptions): Promise<LookupOutcome[]> {
  const parts = buildSharedParts(runtime.config, { logger: options.logger, redis: runtime.redis });
  const { enricher } = parts;
  try {
    // Built before enriching so incomplete credentials fail the command (CONFIG_INVALID, exit 2), not each IP.
    parts.defender.clientFor(options.tenant);
    const results = await enricher.enrich(options.tenant, [...new Set(ips)], { lookBackHours: options.lookBackHours });
    const byIp = new Map(results.map((result) => [result.ip, result]));
    return ips.map((ip): LookupOutcome => {
      const result = byIp.get(ip);
      if (result?.record && (result.status === 'enriched' || result.status === 'not_seen')) {
        return { ip, record: result.record, cached: result.cached, ...(result.stale === true ? { stale: true } : {}) };
      }
      if (result?.error) return { ip, error: result.error };
      if (result?.status === 'deferred') return { ip, error: new IpenrichError('BUDGET_DEFERRED', `no API budget for ${ip} yet`) };
      return { ip, error: new IpenrichError('INTERNAL', `no answer for ${ip}`) };
    });
  } finally {
    await parts.close();
  }
}

/**
 * The fallback when no Redis runs (a quick check from a laptop): one Defender call per distinct IP,
 * in order, without the shared cache and budget.
 */
export async function lookupIps(config: Config, ips: readonly string[], options: LookupOptions, ready: () => void = () => undefined): Promise<LookupOutcome[]> {
  const parts = buildDefenderParts(config, options.logger);
  try {
    // Built before the loop so incomplete credentials fail the command (CONFIG_INVALID, exit 2), not each IP.
    const client = parts.defender.clientFor(options.tenant);
    ready();
    const byIp = new Map<string, LookupOutcome>();
    let fatal: IpenrichError | undefined;
    for (const ip of ips) {
      if (byIp.has(ip)) continue;
      if (fatal) {
        byIp.set(ip, { ip, error: fatal });
        continue;
      }
      try {
        const record = await client.getIpStats({ ip, lookBackHours: options.lookBackHours });
        byIp.set(ip, { ip, record });
      } catch (error) {
        const failure = toIpenrichError(error);
        if (SAME_FOR_EVERY_IP.has(failure.code)) fatal = failure;
        byIp.set(ip, { ip, error: failure });
      }
    }
    return ips.map((ip) => byIp.get(ip) ?? { ip, error: new IpenrichError('INTERNAL', 'no outcome') });
  } finally {
    await parts.close();
  }
}

export function formatOutcome(outcome: LookupOutcome): string {
  if ('record' in outcome) {
    // `stale` only when true, so the lines of fresh answers stay as they were.
    const marks = { ...(outcome.cached === undefined ? {} : { cached: outcome.cached }), ...(outcome.stale === true ? { stale: true } : {}) };
    return JSON.stringify({ ...outcome.record, ...marks });
  }
  return JSON.stringify({ ip: outcome.ip, error: { code: outcome.error.code, message: scrubSecrets(outcome.error.message) } });
}

export const command: Command = {
  name: 'lookup',
  summary: 'ask Defender about IPs; one JSON line per IP',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { tenant: { type: 'string' }, 'look-back-hours': { type: 'string' } },
    });
    if (positionals.length === 0) throw new IpenrichError('USAGE', 'give at least one IP address: ipenrich lookup IP…');
    const ips: string[] = [];
    const invalid: string[] = [];
    for (const text of positionals) {
      const ip = canonicalIp(text)?.ip;
      if (ip === undefined) invalid.push(text);
      else ips.push(ip);
    }
    if (invalid.length > 0) {
      for (const text of invalid) {
        io.stdout.write(`${JSON.stringify({ ip: text, error: { code: 'INVALID_IP', message: `"${text}" is not an IP address` } })}\n`);
      }
      return 2;
    }

    const config = loadConfig(io.env);
    const tenant = values.tenant ?? config.IPENRICH_DEFAULT_TENANT;
    const tenantConfig = tenantNamed(config, tenant);
    if (!tenantConfig) throw new IpenrichError('USAGE', `unknown tenant "${tenant}" (configured: ${Object.keys(config.tenants).join(', ')})`);
    const lookBackHours = integerOption('look-back-hours', values['look-back-hours'], 1, 720) ?? tenantConfig.MDE_LOOKBACK_HOURS;

    const logger = createLogger({ level: config.LOG_LEVEL });
    const options = { tenant, lookBackHours, logger };
    let outcomes: LookupOutcome[];
    let runtime: Runtime | undefined;
    /** Said once the credentials are known complete: a configuration error stays the one line. */
    let directNote = '';
    try {
      runtime = await openRuntime(io.env, { config, logger });
    } catch (error) {
      // Without an explicit REDIS_URL (environment or IPENRICH_CONFIG), a missing local Redis is not an
      // error: look up directly. A configured Redis that is down is, or budget would be spent outside the limiter.
      const explicit = isSettingGiven(io.env, 'REDIS_URL');
      if (explicit || !hasCode(error, 'REDIS_UNAVAILABLE')) throw error;
      const where = describeRedisUrl(config.REDIS_URL);
      // The direct path knows IP stats only: a tenant that chose hunting alone may not even have its permission.
      if (tenantConfig.MDE_SOURCE === 'hunting') {
        throw new IpenrichError('REDIS_UNAVAILABLE', `tenant "${tenant}" uses MDE_SOURCE=hunting, whose budget is shared in Redis, and there is no Redis at ${where}; start redis-server or set REDIS_URL`);
      }
      const only = tenantConfig.MDE_SOURCE === 'auto' ? ', IP stats only (MDE_SOURCE=auto needs Redis for hunting)' : '';
      directNote = `ipenrich lookup: no Redis at ${where}: looking up directly, without the shared cache and API budget${only} (set REDIS_URL to share them)\n`;
    }
    if (runtime) {
      try {
        outcomes = await lookupThroughEnricher(runtime, ips, options);
      } finally {
        await runtime.close();
      }
    } else {
      outcomes = await lookupIps(config, ips, options, () => io.stderr.write(directNote));
    }
    for (const outcome of outcomes) io.stdout.write(`${formatOutcome(outcome)}\n`);
    return outcomes.every((outcome) => 'record' in outcome) ? 0 : 1;
  },
};
