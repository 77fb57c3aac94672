import { z } from 'zod';

/**
 * The two documented success shapes of "Get IP statistics" (https://learn.microsoft.com/en-us/defender-endpoint/api/get-ip-statistics,
 * and its older revisions in MicrosoftDocs/microsoft-365-docs-pr.<locale>) and the error envelope of every Defender API
 * (https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors). Counts are accepted as numbers or digit strings
 * in either field, because the older docs show `orgPrevalence` as a string.
 */
const count = z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)]);

/** ISO 8601 date-time, with or without fraction and zone (no zone means UTC, as Defender writes). */
export const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i, 'not an ISO 8601 date-time')
  .transform((text, ctx) => {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
    // JavaScript dates hold milliseconds; .NET writes up to 7 fraction digits.
    const at = Date.parse(zoned.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isNaN(at)) {
      ctx.addIssue({ code: 'custom', message: 'not a valid date' });
      return z.NEVER;
    }
    return new Date(at).toISOString();
  });

const dates = {
  ipAddress: z.string().optional(),
  orgFirstSeen: timestamp.nullish(),
  orgLastSeen: timestamp.nullish(),
};

export const ipStatsBodySchema = z.union([
  z.object({ organizationPrevalence: count, ...dates }),
  z.object({ orgPrevalence: count, ...dates }),
]);
export type IpStatsBody = z.output<typeof ipStatsBodySchema>;

const defenderErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().optional(),
    target: z.string().optional(),
  }),
});
export type DefenderErrorBody = z.output<typeof defenderErrorSchema>;

export function prevalenceOf(body: IpStatsBody): number {
  return 'organizationPrevalence' in body ? body.organizationPrevalence : body.orgPrevalence;
}

/** The error envelope of a body, when it has one. */
export function parseDefenderError(body: Buffer): DefenderErrorBody['error'] | undefined {
  try {
    const parsed = defenderErrorSchema.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}
