import type { IpResult, IpStatus } from './schema.js';

const LISTED = 3;

function list(ips: readonly IpResult[], describe: (ip: IpResult) => string): string {
  const shown = ips.slice(0, LISTED).map(describe).join(', ');
  return ips.length > LISTED ? `${shown} +${ips.length - LISTED} more` : shown;
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
  if (unseen.length > 0) parts.push(`${unseen.length} never seen in the org (${list(unseen, (ip) => ip.ip)})`);
  if (rare.length > 0) parts.push(`${rare.length} rare (${list(rare, (ip) => `${ip.ip}: ${devices(ip.prevalence)}`)})`);
  if (fresh.length > 0) parts.push(`${fresh.length} new (${list(fresh, (ip) => `${ip.ip} first seen ${ip.firstSeen ?? '?'}`)})`);
  const common = ips.filter((ip) => ip.status === 'enriched' && ip.verdict.length === 0);
  if (common.length > 0) parts.push(`${common.length} common (${list(common, (ip) => `${ip.ip}: ${devices(ip.prevalence)}`)})`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  if (counts.invalid > 0) parts.push(`${counts.invalid} invalid`);
  if (counts.deferred > 0) parts.push(`${counts.deferred} deferred (API budget)`);
  if (counts.error > 0) parts.push(`${counts.error} failed`);
  const total = ips.length === 1 ? '1 IP' : `${ips.length} IPs`;
  return `${total}: ${parts.join('; ')}.`;
}
