import { parseArgs } from 'node:util';
import { budgetOwners } from '../config/budget-owners.js';
import { tenantNamed } from '../config/tenant-named.js';
import { openRuntime } from '../composition/runtime.js';
import { buildSharedParts } from '../composition/shared-parts.js';
import { compareAnswers, type Comparison } from '../enrich/hunting/calibration.js';
import type { IpStatsRecord } from '../enrich/ip-stats.js';
import { createRateLimiter } from '../enrich/limiter.js';
import { spendAdmitted } from '../enrich/spend-admitted.js';
import { IpenrichError, toIpenrichError } from '../errors.js';
import { canonicalIp } from '../extract/index.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { scrubSecrets } from '../secrets.js';
import type { Command } from './command.js';
import { integerOption } from './integer-option.js';

const usage = `Usage: ipenrich calibrate [IP…] [--sample N] [--tenant NAME] [--look-back-hours N]

Asks both sources — Defender's IP stats API and Microsoft Graph advanced hunting — about the same
IPs and prints, one JSON line per IP, both answers and whether they agree (same prevalence, first
and last seen within an hour), then a summary on stderr. The check to run before trusting
MDE_SOURCE=auto (docs/hunting.md). It spends a little of each budget, through the shared limiter in
Redis (REDIS_URL): one IP stats call per IP and one hunting query for all of them. Without IPs, it
samples N (default 20, at most 500) IPs from the tenant's cache. Answers are not cached.
Exit 0 when both sources answered (whatever the agreement), 1 when one could not, 2 for usage.`;

const DEFAULT_SAMPLE = 20;

/** Up to `n` IPs from the tenant's cache, for this look-back. */
async function sampleFromCache(redis: Redis, keys: KeySpace, tenant: string, lookBackHours: number, n: number): Promise<string[]> {
  const found = new Set<string>();
  const prefix = keys.cacheEntry(tenant, '', lookBackHours);
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    for (const key of batch) {
      const ip = canonicalIp(key.slice(prefix.length))?.ip;
      if (ip !== undefined && found.size < n) found.add(ip);
    }
  } while (cursor !== '0' && found.size < n);
  return [...found];
}

const brief = (record: IpStatsRecord): Record<string, unknown> => ({ prevalence: record.prevalence, firstSeen: record.firstSeen, lastSeen: record.lastSeen });

export const command: Command = {
  name: 'calibrate',
  summary: 'ask both sources (IP stats, Graph hunting) about the same IPs; where they agree',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { sample: { type: 'string' }, tenant: { type: 'string' }, 'look-back-hours': { type: 'string' } },
    });
    const sample = integerOption('sample', values.sample, 1, 500) ?? DEFAULT_SAMPLE;
    const given = positionals.map((text) => ({ text, ip: canonicalIp(text)?.ip }));
    const invalid = given.filter((entry) => entry.ip === undefined).map((entry) => entry.text);
    if (invalid.length > 0) throw new IpenrichError('USAGE', `not IP addresses: ${invalid.map((text) => `"${text.slice(0, 60)}"`).join(', ')}`);

    const runtime = await openRuntime(io.env);
    try {
      const { config, keys, redis, logger } = runtime;
      const tenant = values.tenant ?? config.IPENRICH_DEFAULT_TENANT;
      const settings = tenantNamed(config, tenant);
      if (!settings) throw new IpenrichError('USAGE', `unknown tenant "${tenant}" (configured: ${Object.keys(config.tenants).join(', ')})`);
      const lookBackHours = integerOption('look-back-hours', values['look-back-hours'], 1, 720) ?? settings.MDE_LOOKBACK_HOURS;
      const ips = given.length > 0 ? [...new Set(given.flatMap((entry) => (entry.ip === undefined ? [] : [entry.ip])))] : await sampleFromCache(redis, keys, tenant, lookBackHours, sample);
      if (ips.length === 0) throw new IpenrichError('USAGE', `no IPs given and none in tenant "${tenant}"'s cache for lookBackHours ${lookBackHours}: give IPs, or run the worker first`);

      const parts = buildSharedParts(config, { logger, redis });
      try {
        // The same budget keys as the enricher's, so calibration spends the shared IP stats budget.
        const ipstatsBudget = createRateLimiter({ redis, keys, windows: config.MDE_RATE_LIMITS, safetyMs: config.MDE_RATE_SAFETY_MS, inflightMs: config.COALESCE_LOCK_MS, budgetOf: budgetOwners(config) });
        const defender = parts.defender.clientFor(tenant);
        const hunted = await parts.hunting.spend(tenant, () => parts.huntingClientFor(tenant).prevalence({ ips, lookBackHours }));
        const byIp = new Map(hunted.map((record) => [record.ip, record]));
        const comparisons: Comparison[] = [];
        for (const ip of ips) {
          const hunting = byIp.get(ip);
          const ipstats = await spendAdmitted(ipstatsBudget, tenant, () => defender.getIpStats({ ip, lookBackHours }), { logger });
          if (!hunting) throw new IpenrichError('HUNTING_BAD_RESPONSE', `the hunting answer has no record for ${ip}`);
          const comparison = compareAnswers(ipstats, hunting);
          comparisons.push(comparison);
          io.stdout.write(`${JSON.stringify({ ip, agree: comparison.agree, differences: comparison.differences, ipstats: brief(ipstats), hunting: brief(hunting) })}\n`);
        }
        const agreeing = comparisons.filter((c) => c.agree).length;
        const prevalenceDiffers = comparisons.filter((c) => c.differences.some((d) => d.startsWith('prevalence'))).length;
        io.stderr.write(
          `calibrate (tenant ${tenant}, lookBackHours ${lookBackHours}): ${agreeing} of ${ips.length} IPs agree; prevalence differs for ${prevalenceDiffers}, dates only for ${ips.length - agreeing - prevalenceDiffers}. Spent ${ips.length} IP stats calls and 1 hunting query.\n`,
        );
        return 0;
      } catch (error) {
        const failure = toIpenrichError(error);
        if (failure.code === 'USAGE' || failure.code === 'CONFIG_INVALID') throw failure;
        io.stderr.write(`calibrate: a source could not answer: ${failure.code}: ${scrubSecrets(failure.message)}\n`);
        return 1;
      } finally {
        await parts.close();
      }
    } finally {
      await runtime.close();
    }
  },
};
