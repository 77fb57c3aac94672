import type { Verdict } from './schema.js';

export interface VerdictPolicy {
  /** "rare" when at most this many devices in the organization connected to the IP. */
  readonly rareMaxPrevalence: number;
  /** "new" when the organization first saw the IP at most this many hours ago. */
  readonly newWithinHours: number;
}

export interface VerdictInput {
  readonly seen: boolean;
  readonly prevalence: number;
  readonly firstSeen: string | null;
}

/** What an analyst should notice about one IP; empty when nothing stands out. */
export function verdictFor(stats: VerdictInput, policy: VerdictPolicy, now: number): Verdict[] {
  if (!stats.seen || stats.prevalence === 0) return ['unseen'];
  const verdicts: Verdict[] = [];
  if (stats.prevalence <= policy.rareMaxPrevalence) verdicts.push('rare');
  const firstSeen = stats.firstSeen === null ? Number.NaN : Date.parse(stats.firstSeen);
  if (Number.isFinite(firstSeen) && now - firstSeen <= policy.newWithinHours * 3_600_000) verdicts.push('new');
  return verdicts;
}
