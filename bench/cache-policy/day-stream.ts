import { ipForRank, mulberry32, zipfSampler } from '../budget/zipf.js';

/** The alerts of a simulated stretch of days, one IP each, in arrival order. */
export interface DayStreamPlan {
  /** Wall milliseconds one simulated day takes. */
  readonly dayMs: number;
  readonly days: number;
  /** Alerts per simulated day, bursts excluded. */
  readonly alertsPerDay: number;
  /** Rate at night relative to the rate at noon (the daily cycle): 0.2 = a fifth. */
  readonly nightShare: number;
  readonly universe: number;
  readonly zipfExponent: number;
  /** Bursts of never-seen IPs per day (a scan, a campaign), at random times. */
  readonly burstsPerDay: number;
  readonly burstSize: number;
  /** How long one burst lasts, wall ms. */
  readonly burstMs: number;
  readonly seed: number;
}

export interface StreamAlert {
  /** Wall ms from the start of the run. */
  readonly at: number;
  readonly ip: string;
  /** An earlier alert of the stream (any process) asked for the same IP. */
  readonly seenBefore: boolean;
}

/**
 * Arrival times follow the daily cycle by thinning (uniform times kept with probability
 * rate(t) / peak rate, rate lowest at midnight, highest at noon); IPs follow Zipf over the universe;
 * each burst brings `burstSize` IPs no alert asked for before, within `burstMs`.
 */
export function dayStream(plan: DayStreamPlan): StreamAlert[] {
  const random = mulberry32(plan.seed);
  const sample = zipfSampler(plan.universe, plan.zipfExponent, plan.seed + 1);
  const rate = (t: number): number => plan.nightShare + (1 - plan.nightShare) * (1 - Math.cos((2 * Math.PI * t) / plan.dayMs)) / 2;
  const timed: { at: number; ip: string }[] = [];
  const totalMs = plan.dayMs * plan.days;
  // Mean of rate() over a day is (1 + nightShare) / 2: draw enough candidates to keep alertsPerDay.
  const candidates = Math.round((plan.alertsPerDay * plan.days * 2) / (1 + plan.nightShare));
  for (let i = 0; i < candidates; i += 1) {
    const at = random() * totalMs;
    if (random() < rate(at)) timed.push({ at, ip: ipForRank(sample()) });
  }
  let fresh = plan.universe;
  for (let burst = 0; burst < plan.burstsPerDay * plan.days; burst += 1) {
    const start = random() * (totalMs - plan.burstMs);
    for (let i = 0; i < plan.burstSize; i += 1) timed.push({ at: start + random() * plan.burstMs, ip: ipForRank((fresh += 1)) });
  }
  timed.sort((a, b) => a.at - b.at);
  const asked = new Set<string>();
  return timed.map(({ at, ip }) => {
    const seenBefore = asked.has(ip);
    asked.add(ip);
    return { at: Math.round(at), ip, seenBefore };
  });
}
