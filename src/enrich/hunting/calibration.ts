import type { IpStatsRecord } from '../ip-stats.js';

/** First/last seen within this of each other count as agreeing: the sources stamp events differently. */
const DATE_TOLERANCE_MS = 3_600_000;

export interface Comparison {
  readonly ip: string;
  readonly agree: boolean;
  /** What differs, in words an analyst reads (`prevalence 3 vs 4`, `firstSeen 2.5 h apart`). */
  readonly differences: readonly string[];
}

const hoursApart = (a: string, b: string): number => Math.abs(Date.parse(a) - Date.parse(b)) / 3_600_000;

function compareDate(name: string, ipstats: string | null, hunting: string | null): string | undefined {
  if (ipstats === null && hunting === null) return undefined;
  if (ipstats === null || hunting === null) return `${name} ${ipstats ?? 'none'} vs ${hunting ?? 'none'}`;
  const apart = hoursApart(ipstats, hunting);
  return apart * 3_600_000 > DATE_TOLERANCE_MS ? `${name} ${apart.toFixed(1)} h apart` : undefined;
}

/** The IP stats API's answer against hunting's for one IP (`ipenrich calibrate`). */
export function compareAnswers(ipstats: IpStatsRecord, hunting: IpStatsRecord): Comparison {
  const differences: string[] = [];
  if (ipstats.prevalence !== hunting.prevalence) differences.push(`prevalence ${ipstats.prevalence} vs ${hunting.prevalence}`);
  for (const difference of [compareDate('firstSeen', ipstats.firstSeen, hunting.firstSeen), compareDate('lastSeen', ipstats.lastSeen, hunting.lastSeen)]) {
    if (difference !== undefined) differences.push(difference);
  }
  return { ip: ipstats.ip, agree: differences.length === 0, differences };
}
