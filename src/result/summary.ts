import type { IpResult, IpStatus } from './schema.js';

const LISTED = 3;

function list(ips: readonly IpResult[], describe: (ip: IpResult) => string): string {
  const shown = ips.slice(0, LISTED).map(describe).join(', ');
  return ips.length > LISTED ? `${shown} +${ips.length - LISTED} more` : shown;
}

/** The IP as listed, marked when its answer is a stale one: the analyst must know it may be dated. */
function named(ip: IpResult): string {
  if (ip.stale !== true) return ip.ip;
  const fetched = ip.fetchedAt === undefined ? Number.NaN : Date.parse(ip.fetchedAt);
  // To the minute: enough to judge how old the answer is, short enough for one line.
  const when = Number.isFinite(fetched) ? `, fetched ${new Date(fetched).toISOString().slice(0, 16)}Z` : '';
  return `${ip.ip} (stale${when})`;
}

function devices(count: number | null): string {
  return count === 1 ? '1 device' : `${count ?? 0} devices`;
}

/**
 * The one line an analyst reads at a glance: what stands out first (rare, new, never seen in the
 * organization), then what is routine, then what could not be answered.
 */
export function summarize(ips: readonly IpResult[], counts: Readonly<Record<IpStatus, number>>): string {
  if (ips.length === 0) return 'No IP addresses found in the alert.';
  const parts: string[] = [];
  const unseen = ips.filter((ip) => ip.verdict.includes('unseen'));
  const rare = ips.filter((ip) => ip.verdict.includes('rare'));
  const fresh = ips.filter((ip) => ip.verdict.includes('new') && !ip.verdict.includes('rare'));
  if (unseen.length > 0) parts.push(`${unseen.length} never seen in the org (${list(unseen, named)})`);
  if (rare.length > 0) parts.push(`${rare.length} rare (${list(rare, (ip) => `${named(ip)}: ${devices(ip.prevalence)}`)})`);
  if (fresh.length > 0) parts.push(`${fresh.length} new (${list(fresh, (ip) => `${named(ip)} first seen ${ip.firstSeen ?? '?'}`)})`);
  const common = ips.filter((ip) => ip.status === 'enriched' && ip.verdict.length === 0);
  if (common.length > 0) parts.push(`${common.length} common (${list(common, (ip) => `${named(ip)}: ${devices(ip.prevalence)}`)})`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  if (counts.invalid > 0) {
    const staleInvalid = ips.filter((ip) => ip.status === 'invalid' && ip.stale === true).length;
    parts.push(staleInvalid > 0 ? `${counts.invalid} invalid (${staleInvalid} stale)` : `${counts.invalid} invalid`);
  }
  if (counts.deferred > 0) parts.push(`${counts.deferred} deferred (API budget)`);
  if (counts.error > 0) parts.push(`${counts.error} failed`);
  const total = ips.length === 1 ? '1 IP' : `${ips.length} IPs`;
  return `${total}: ${parts.join('; ')}.`;
}
