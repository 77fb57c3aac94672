import { z } from 'zod';

/**
 * Defender's answer for one IP, normalized from either documented response shape
 * (`organizationPrevalence` number, or the older `orgPrevalence` string) and either "not seen"
 * behaviour (200 with prevalence 0, or 404).
 */
export const ipStatsRecordSchema = z.object({
  ip: z.string(),
  /** Distinct devices in the organization that opened a network connection to this IP. */
  prevalence: z.number().int().min(0),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  /** False when Defender reported no device (prevalence 0, or 404). */
  seen: z.boolean(),
  lookBackHours: z.number().int().min(1).max(720),
  /** When ipenrich asked Defender (ISO 8601). */
  fetchedAt: z.string(),
  /** Which API answered (docs/hunting.md); absent in entries cached before there were two: `ipstats`. */
  source: z.enum(['ipstats', 'hunting']).optional(),
});
export type IpStatsRecord = z.infer<typeof ipStatsRecordSchema>;

export interface IpStatsRequest {
  /** Canonical IP (RFC 5952 for IPv6); the client refuses anything else. */
  readonly ip: string;
  readonly lookBackHours: number;
  readonly signal?: AbortSignal;
}

/**
 * The port the enricher calls for one tenant's Defender API. Implementations throw IpenrichError
 * (MDE_* codes) and never retry 429 themselves: the shared limiter owns the budget.
 */
export interface IpStatsClient {
  getIpStats(request: IpStatsRequest): Promise<IpStatsRecord>;
  /**
   * Resolves when a call could be sent now (the client has its access token); otherwise throws the
   * error the call would fail with. The enricher asks before spending budget on a call.
   */
  ready?(signal?: AbortSignal): Promise<void>;
}
