import { createHash } from 'node:crypto';

/** What the Defender emulator knows about one IP within a look-back window. */
export interface IpStatsFacts {
  /** 0: no device in the organization connected to the IP. */
  readonly prevalence: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

const HOUR_MS = 3_600_000;

/** ISO 8601 to the second, as Defender writes it (`2017-07-30T13:36:06Z`). */
const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Deterministic, plausible statistics per IP: the same (seed, ip, lookBackHours, anchor) always gives
 * the same answer. About a quarter of IPs are unseen; of the seen, ~30% are rare (1–3 devices), the
 * rest spread log-uniformly up to 50,000; ~10% were first seen within the last 48 hours, the others
 * anywhere in the look-back window. `anchorMs` is "now" for the dates (the emulator's start hour),
 * so answers do not drift while an emulator runs.
 */
export function syntheticIpStats(ip: string, lookBackHours: number, anchorMs: number, seed = 'ipenrich'): IpStatsFacts {
  const hash = createHash('sha256').update(`${seed}|${ip}`).digest();
  const unit = (offset: number): number => hash.readUInt32BE(offset) / 2 ** 32;
  if (unit(0) < 0.25) return { prevalence: 0, firstSeen: null, lastSeen: null };
  const prevalence = unit(4) < 0.3 ? 1 + Math.floor(unit(8) * 3) : Math.floor(Math.exp(Math.log(4) + unit(8) * (Math.log(50_000) - Math.log(4))));
  const recentOnly = unit(12) < 0.1;
  const firstAgoHours = unit(16) * (recentOnly ? Math.min(48, lookBackHours) : lookBackHours);
  const lastAgoHours = unit(20) * firstAgoHours;
  return {
    prevalence,
    firstSeen: isoSeconds(anchorMs - firstAgoHours * HOUR_MS),
    lastSeen: isoSeconds(anchorMs - lastAgoHours * HOUR_MS),
  };
}

/** What an emulator knows of the organization: the synthetic facts, unless a test fixed an IP's. */
export interface SyntheticOrganization {
  facts(ip: string, lookBackHours: number): IpStatsFacts;
  /** Fixes an IP's facts (undefined: back to the synthetic ones). */
  setIpStats(ip: string, facts: IpStatsFacts | undefined): void;
}

/**
 * One emulator's organization. Dates are relative to the start hour (`anchorMs`, default the hour
 * `clock` is in) so an IP's answer does not drift during a run; emulators with the same seed and
 * anchor answer alike, which lets the Defender and Graph emulators agree.
 */
export function syntheticOrganization(options: { seed: string; clock: () => number; anchorMs?: number | undefined }): SyntheticOrganization {
  const anchorMs = options.anchorMs ?? Math.floor(options.clock() / 3_600_000) * 3_600_000;
  const fixed = new Map<string, IpStatsFacts>();
  return {
    facts: (ip, lookBackHours) => fixed.get(ip) ?? syntheticIpStats(ip, lookBackHours, anchorMs, options.seed),
    setIpStats(ip, facts) {
      if (facts) fixed.set(ip, facts);
      else fixed.delete(ip);
    },
  };
}
